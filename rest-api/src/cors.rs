//! Cross-origin requests, as Kafka Connect's worker keys configure them (Jetty's
//! `CrossOriginFilter` there, tower-http's CORS layer here):
//!
//! - `access.control.allow.origin`: empty (the default) sends no CORS headers, so browsers only
//!   allow the REST API's own origin; `*` allows any origin; otherwise a comma-separated list of
//!   origins (`https://ui.example.com`).
//! - `access.control.allow.methods`: the methods allowed cross-origin, comma-separated
//!   (default `GET,POST,HEAD`, as Kafka's).

use axum::http::{HeaderValue, Method};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

/// Kafka's default for `access.control.allow.methods`.
pub const DEFAULT_ALLOW_METHODS: &str = "GET,POST,HEAD";

/// The CORS layer for these settings; `Ok(None)` when `allow_origin` is empty (no CORS).
/// An origin or method that is not valid in an HTTP header is an error naming it.
pub fn cors_layer(allow_origin: &str, allow_methods: &str) -> Result<Option<CorsLayer>, String> {
    let origin = allow_origin.trim();
    if origin.is_empty() {
        return Ok(None);
    }
    let methods = if allow_methods.trim().is_empty() {
        DEFAULT_ALLOW_METHODS
    } else {
        allow_methods
    };
    let methods = methods
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(|m| {
            Method::from_bytes(m.to_ascii_uppercase().as_bytes())
                .map_err(|_| format!("access.control.allow.methods: '{m}' is not an HTTP method"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let layer = CorsLayer::new().allow_methods(methods).allow_headers(Any);
    let layer = if origin == "*" {
        layer.allow_origin(Any)
    } else {
        let origins = origin
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(|o| {
                HeaderValue::from_str(o).map_err(|_| {
                    format!("access.control.allow.origin: '{o}' is not a valid origin")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        layer.allow_origin(AllowOrigin::list(origins))
    };
    Ok(Some(layer))
}
