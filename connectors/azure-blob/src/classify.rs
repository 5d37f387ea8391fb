//! The one place where Azure Blob failures become [`sluice_files::Error`]s.
//!
//! Failures reach this crate two ways, as `object_store` errors (blob reads, writes, listings,
//! blocks) and as raw HTTP answers to the requests signed in [`crate::shared_key`] (container
//! creation). Both are first reduced to a [`Failure`] (HTTP status, Azure error code, transport
//! trouble), then [`classify`] alone decides:
//!
//! - **not found**: `BlobNotFound` (or a 404 without a code on a blob read) becomes
//!   [`sluice_files::Error::NotFound`];
//! - **definite**: a missing container, authentication or authorization failures, a disabled
//!   account, invalid names, block lists or requests — retrying the same request cannot help, the
//!   message says what to fix;
//! - **retriable**: `ServerBusy`, `InternalError`, `OperationTimedOut`, 5xx, 408/429, timeouts,
//!   connection failures and anything unknown (unknown means transient: a wrong "retriable" costs
//!   a few retries before the task restarts, a wrong "definite" kills a task that would recover).
//!
//! Azure's error codes (the `x-ms-error-code` header and the `<Code>` of the XML error body)
//! are documented and stable, so they are preferred to the status.
//! `object_store` keeps the status of list and block requests inside an error type it does not
//! export; it is recovered from the error text there, and the code decides anyway when present.

use std::error::Error as StdError;

use object_store::client::{HttpError, HttpErrorKind};
use sluice_files::Error;

/// The store name in every error of this crate.
pub(crate) const STORE: &str = "Azure Blob";

/// What the failed request was about, for the error message.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    /// The operation, as it appears in the message ("put", "get", …).
    pub(crate) operation: &'static str,
    /// The container addressed.
    pub(crate) container: &'a str,
    /// The blob name or prefix addressed (empty for container operations).
    pub(crate) key: &'a str,
}

/// A failed request, reduced to what classification needs.
#[derive(Debug, Default)]
pub(crate) struct Failure {
    /// The HTTP status, when a response arrived and its status is known.
    pub(crate) status: Option<u16>,
    /// Azure's error code (`ContainerNotFound`, `AuthorizationFailure`, …).
    pub(crate) code: Option<String>,
    /// The request failed before a usable response: true for timeouts and connection trouble.
    pub(crate) transport: bool,
    /// Whether the error says the request itself is malformed on our side (bad path, …).
    pub(crate) invalid_request: bool,
    /// The underlying error, for the message.
    pub(crate) detail: String,
}

impl Failure {
    /// Reduces an `object_store` error.
    pub(crate) fn from_object_store(err: &object_store::Error) -> Failure {
        use object_store::Error as E;
        let detail = chain_text(err);
        let status = match err {
            E::NotFound { .. } => Some(404),
            E::AlreadyExists { .. } => Some(409),
            E::Precondition { .. } => Some(412),
            E::NotModified { .. } => Some(304),
            E::PermissionDenied { .. } => Some(403),
            E::Unauthenticated { .. } => Some(401),
            _ => status_in(&detail),
        };
        let invalid_request = matches!(
            err,
            E::InvalidPath { .. }
                | E::NotSupported { .. }
                | E::NotImplemented { .. }
                | E::UnknownConfigurationKey { .. }
        );
        Failure {
            status,
            code: code_in(&detail),
            transport: status.is_none() && http_error(err).is_some_and(is_transport),
            invalid_request,
            detail,
        }
    }

    /// Reduces an error answer to a request this crate sent itself.
    pub(crate) fn from_response(status: u16, code: Option<String>, body: &str) -> Failure {
        let code = code.or_else(|| code_in(body));
        Failure {
            status: Some(status),
            code,
            detail: format!("HTTP {status}: {body}"),
            ..Failure::default()
        }
    }

    /// Reduces a failure to send a request this crate built itself.
    pub(crate) fn from_reqwest(err: &reqwest::Error) -> Failure {
        Failure {
            status: err.status().map(|s| s.as_u16()),
            transport: err.is_timeout() || err.is_connect() || err.is_request() || err.is_body(),
            invalid_request: err.is_builder(),
            detail: chain_text(err),
            ..Failure::default()
        }
    }
}

/// Decides what a [`Failure`] means for the task and says what to do about it.
pub(crate) fn classify(failure: Failure, target: Target<'_>) -> Error {
    let container = target.container;
    let account_hint = "check azblob.account.name and azblob.account.key";
    let (retriable, hint): (bool, String) = match (failure.code.as_deref(), failure.status) {
        (Some("BlobNotFound"), _) => {
            return Error::NotFound {
                store: STORE,
                key: target.key.to_owned(),
            };
        }
        (None, Some(404)) if target.operation == "get" => {
            return Error::NotFound {
                store: STORE,
                key: target.key.to_owned(),
            };
        }
        (Some("ContainerNotFound"), _) => (
            false,
            format!(
                "container '{container}' does not exist: create it or fix azblob.container.name"
            ),
        ),
        (
            Some("AuthenticationFailed" | "AuthorizationFailure" | "InvalidAuthenticationInfo"),
            _,
        )
        | (None, Some(401)) => (
            false,
            format!("Azure rejected the request signature: {account_hint}"),
        ),
        (
            Some(
                "AuthorizationPermissionMismatch"
                | "AuthorizationResourceTypeMismatch"
                | "AuthorizationServiceMismatch"
                | "InsufficientAccountPermissions",
            ),
            _,
        )
        | (None, Some(403)) => (
            false,
            format!(
                "access to container '{container}' was denied: grant this account key or \
                 identity write, read and list rights on it, or {account_hint}"
            ),
        ),
        (Some("AccountIsDisabled" | "ContainerDisabled"), _) => (
            false,
            "the storage account or container is disabled: re-enable it in Azure".into(),
        ),
        (Some("InvalidResourceName" | "OutOfRangeInput"), _) => (
            false,
            format!(
                "'{container}' or the blob name is not a valid Azure name: fix \
                 azblob.container.name (3-63 lower-case letters, digits and dashes)"
            ),
        ),
        (
            Some(
                "InvalidBlockList"
                | "InvalidBlobOrBlock"
                | "InvalidBlockId"
                | "RequestBodyTooLarge"
                | "InvalidHeaderValue"
                | "InvalidQueryParameterValue"
                | "MissingRequiredHeader"
                | "UnsupportedHeader"
                | "InvalidUri"
                | "InvalidInput"
                | "Md5Mismatch",
            ),
            _,
        ) => (false, "Azure rejected the request as invalid".into()),
        (
            Some("ServerBusy" | "InternalError" | "OperationTimedOut" | "ContainerBeingDeleted"),
            _,
        ) => (true, "Azure could not serve the request now".into()),
        _ if failure.invalid_request => (
            false,
            "the request could not be built; check the blob name and the store settings".into(),
        ),
        _ if failure.transport => (true, "the connection to Azure Blob Storage failed".into()),
        (_, Some(s)) => (true, format!("Azure answered {s}")),
        // Unknown: transient, see the module documentation.
        (_, None) => (true, "the request failed".into()),
    };
    let detail = one_line(&failure.detail);
    let message = match &failure.code {
        Some(code) => format!("{hint} (Azure error {code}: {detail})"),
        None => format!("{hint} ({detail})"),
    };
    Error::Store {
        store: STORE,
        operation: target.operation,
        key: target.key.to_owned(),
        message,
        retriable,
    }
}

/// `err` and its sources, joined; `object_store` puts the Azure error body in there.
fn chain_text(err: &(dyn StdError + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        let s = e.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        source = e.source();
    }
    text
}

/// The transport error in `err`'s source chain, if the request failed without a response.
fn http_error<'e>(err: &'e (dyn StdError + 'static)) -> Option<&'e HttpError> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<HttpError>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

fn is_transport(e: &HttpError) -> bool {
    matches!(
        e.kind(),
        HttpErrorKind::Connect
            | HttpErrorKind::Request
            | HttpErrorKind::Timeout
            | HttpErrorKind::Interrupted
    )
}

/// The text of the first `<tag>` element in `text` (Azure's XML error bodies are flat).
fn element<'t>(text: &'t str, tag: &str) -> Option<&'t str> {
    let open = format!("<{tag}>");
    let start = text.find(&open)? + open.len();
    let len = text[start..].find(&format!("</{tag}>"))?;
    Some(text[start..start + len].trim()).filter(|s| !s.is_empty())
}

/// The `<Code>` of an Azure XML error body inside `text`.
fn code_in(text: &str) -> Option<String> {
    element(text, "Code").map(str::to_owned)
}

/// `text` on one line, with an Azure XML error body replaced by its `<Message>`.
fn one_line(text: &str) -> String {
    let (before, message) = match text.find("<?xml") {
        Some(at) => (
            text[..at].trim_end_matches([' ', ':']),
            element(&text[at..], "Message"),
        ),
        None => (text, None),
    };
    let mut line = before.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(message) = message {
        line.push_str(": ");
        line.push_str(&message.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    line
}

/// The status in `object_store`'s "…status code: 403 Forbidden…" text.
fn status_in(text: &str) -> Option<u16> {
    let start = text.find("status code: ")? + "status code: ".len();
    text.get(start..start + 3)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target<'static> {
        Target {
            operation: "put",
            container: "logs",
            key: "a/b",
        }
    }

    #[test]
    fn codes_decide_before_statuses() {
        let f = Failure::from_response(
            404,
            None,
            "<?xml?><Error><Code>ContainerNotFound</Code></Error>",
        );
        let e = classify(f, target());
        assert!(!e.is_retriable());
        assert!(
            e.to_string().contains("container 'logs' does not exist"),
            "{e}"
        );

        let f = Failure::from_response(503, Some("ServerBusy".into()), "");
        assert!(classify(f, target()).is_retriable());

        let f = Failure::from_response(404, Some("BlobNotFound".into()), "");
        assert!(matches!(classify(f, target()), Error::NotFound { .. }));
    }

    #[test]
    fn statuses_decide_without_a_code() {
        assert!(!classify(Failure::from_response(403, None, ""), target()).is_retriable());
        assert!(classify(Failure::from_response(500, None, ""), target()).is_retriable());
        assert!(classify(Failure::from_response(429, None, ""), target()).is_retriable());
    }

    #[test]
    fn status_and_code_are_found_in_object_store_text() {
        let text = "Error performing PUT http://x in 1ms - Server returned non-2xx status code: \
                    403 Forbidden: <?xml version=\"1.0\"?><Error><Code>AuthorizationFailure</Code>";
        assert_eq!(status_in(text), Some(403));
        assert_eq!(code_in(text).as_deref(), Some("AuthorizationFailure"));
        assert_eq!(status_in("no status here"), None);
        let body = "PUT x - 403 Forbidden: <?xml version=\"1.0\"?>\n<Error>\n<Code>AuthorizationFailure</Code>\n\
                    <Message>Server failed to authenticate the request.\nRequestId:1</Message>\n</Error>";
        assert_eq!(
            one_line(body),
            "PUT x - 403 Forbidden: Server failed to authenticate the request. RequestId:1"
        );
    }
}
