//! Request extractors whose every rejection is an [`Error`], so that malformed input gets the
//! same `{"error_code","message"}` body as everything else (axum's own extractors answer in
//! plain text).
//!
//! - [`JsonBody`]: the content type must be JSON (`application/json` or `…+json`, any
//!   parameters) or absent, else 415 like Jersey's `@Consumes(APPLICATION_JSON)`; an absent
//!   content type is accepted because `curl -d` users routinely forget the header and the body
//!   is still parsed strictly. A body that is not valid JSON for the entity is 400 (see
//!   `DEVIATIONS` in the crate docs).
//! - [`PathParams`]: path segments; a segment that does not parse (a task number that is not a
//!   number) is 404, as Jersey answers when no resource matches.
//! - [`QueryPairs`]: the raw query pairs; repeated keys are kept (`expand=status&expand=info`),
//!   which `serde_urlencoded`-based `Query` cannot do.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::Error;

/// A JSON request body parsed into `T`.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub T);

/// Whether a `Content-Type` header value names JSON.
pub(crate) fn is_json_content_type(value: &str) -> bool {
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        if let Some(ct) = req.headers().get(CONTENT_TYPE) {
            let ct = ct.to_str().map_err(|_| Error::UnsupportedMediaType)?;
            if !is_json_content_type(ct) {
                return Err(Error::UnsupportedMediaType);
            }
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| Error::BadRequest(format!("Could not read the request body: {e}")))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::BadRequest(
                "The request body is empty; this endpoint expects a JSON document".into(),
            ));
        }
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| Error::BadRequest(format!("Invalid JSON in the request body: {e}")))
    }
}

/// Path parameters parsed into `T`; a mismatch is 404.
#[derive(Debug)]
pub(crate) struct PathParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(t)| PathParams(t))
            .map_err(|_| Error::unknown_path())
    }
}

/// The decoded query pairs, in order, repeated keys kept.
#[derive(Debug, Default)]
pub(crate) struct QueryPairs(pub Vec<(String, String)>);

impl QueryPairs {
    /// Every value of `key`.
    pub(crate) fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The last value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A boolean parameter (`true`/`false`, any case), `default` when absent; else 400.
    pub(crate) fn bool(&self, key: &str, default: bool) -> Result<bool, Error> {
        match self.get(key) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(Error::BadRequest(format!(
                "Query parameter {key} must be 'true' or 'false', not '{v}'"
            ))),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Error> {
        let pairs = parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(QueryPairs(pairs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types() {
        assert!(is_json_content_type("application/json"));
        assert!(is_json_content_type("Application/JSON; charset=utf-8"));
        assert!(is_json_content_type("application/vnd.api+json"));
        assert!(!is_json_content_type("text/plain"));
        assert!(!is_json_content_type("application/x-www-form-urlencoded"));
        assert!(!is_json_content_type(""));
    }
}
