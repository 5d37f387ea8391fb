//! How the client proves who it is at login: the `data` object of `POST /session/v1/login-request`.
//!
//! The body carries what the official drivers send (gosnowflake's `authRequestData`, the Python
//! connector's `_auth.py`): the client's identity (`CLIENT_APP_ID`, `CLIENT_APP_VERSION`,
//! `SVN_REVISION`), the account and login name, the secret for the chosen authenticator, the
//! session parameters to set (`SESSION_PARAMETERS`, which fakesnow requires even when empty) and
//! the client environment. Only password authentication is implemented so far; key-pair (JWT)
//! authentication, the Kafka connector's default, adds `AUTHENTICATOR = SNOWFLAKE_JWT` and a
//! `TOKEN` here and nothing elsewhere.

use serde_json::{Map, Value as Json, json};

/// The identity the client announces at login. Snowflake's server gates some protocol features
/// (Arrow results, the presigned-URL upload flow) on known driver identities; gosnowflake's
/// protocol is the one this client implements, so by default it introduces itself as that driver
/// and names Sluice in `CLIENT_ENVIRONMENT.APPLICATION`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    /// `CLIENT_APP_ID`.
    pub app_id: String,
    /// `CLIENT_APP_VERSION`.
    pub app_version: String,
    /// `CLIENT_ENVIRONMENT.APPLICATION`: the application on whose behalf the driver connects.
    pub application: String,
}

impl Default for ClientIdentity {
    fn default() -> Self {
        ClientIdentity {
            app_id: "Go".to_string(),
            app_version: "1.13.3".to_string(),
            application: format!("Sluice/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// How to authenticate.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Authenticator {
    /// Snowflake's built-in user/password authentication (`AUTHENTICATOR = SNOWFLAKE`).
    Password(String),
}

impl std::fmt::Debug for Authenticator {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Authenticator::Password(_) => f.write_str("Password(****)"),
        }
    }
}

/// Builds the login body `{"data": {…}}`.
pub(crate) fn login_body(
    account: &str,
    user: &str,
    authenticator: &Authenticator,
    identity: &ClientIdentity,
    session_parameters: &Map<String, Json>,
) -> Json {
    let mut data = Map::new();
    data.insert("CLIENT_APP_ID".into(), json!(identity.app_id));
    data.insert("CLIENT_APP_VERSION".into(), json!(identity.app_version));
    data.insert("SVN_REVISION".into(), json!(""));
    data.insert("ACCOUNT_NAME".into(), json!(account_name(account)));
    data.insert("LOGIN_NAME".into(), json!(user));
    match authenticator {
        Authenticator::Password(password) => {
            data.insert("PASSWORD".into(), json!(password));
        }
    }
    data.insert(
        "SESSION_PARAMETERS".into(),
        Json::Object(session_parameters.clone()),
    );
    data.insert(
        "CLIENT_ENVIRONMENT".into(),
        json!({
            "APPLICATION": identity.application,
            "OS": std::env::consts::OS,
            "OS_VERSION": std::env::consts::ARCH,
            "OCSP_MODE": "FAIL_OPEN",
        }),
    );
    json!({ "data": data })
}

/// The account name as the login expects it: the account locator without region or cloud
/// suffix (`xy12345.eu-central-1` → `xy12345`), as the drivers derive it from the account
/// identifier.
pub(crate) fn account_name(account: &str) -> &str {
    account.split('.').next().unwrap_or(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_body_has_what_the_drivers_send_and_hides_the_password_in_debug() {
        let auth = Authenticator::Password("secret".into());
        let body = login_body(
            "xy123.eu-central-1",
            "bob",
            &auth,
            &ClientIdentity::default(),
            &Map::new(),
        );
        let data = &body["data"];
        assert_eq!(data["ACCOUNT_NAME"], "xy123");
        assert_eq!(data["LOGIN_NAME"], "bob");
        assert_eq!(data["PASSWORD"], "secret");
        assert_eq!(data["CLIENT_APP_ID"], "Go");
        assert!(data["SESSION_PARAMETERS"].is_object());
        assert!(
            data["CLIENT_ENVIRONMENT"]["APPLICATION"]
                .as_str()
                .unwrap()
                .starts_with("Sluice/")
        );
        assert_eq!(format!("{auth:?}"), "Password(****)");
    }
}
