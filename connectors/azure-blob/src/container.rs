//! Container creation: one SharedKey-signed `PUT <service>/<container>?restype=container`.
//!
//! `object_store` reads and writes blobs but cannot create containers, so this request is built
//! and signed here (see the `shared_key` module). Creation is idempotent: `201 Created` and
//! `409 ContainerAlreadyExists` both mean the container is there afterwards. Any other answer
//! goes through the crate's one classification function.

use std::time::SystemTime;

use reqwest::Method;
use reqwest::header::{CONTENT_LENGTH, HeaderMap, HeaderValue};
use tracing::debug;
use url::Url;

use crate::classify::{Failure, Target, classify};
use crate::shared_key::SharedKey;

/// The REST API version of the requests this crate signs itself.
const API_VERSION: &str = "2023-11-03";

/// Creates `container` under the blob service URL `service`; succeeds if it already exists.
pub(crate) async fn create(
    http: &reqwest::Client,
    signer: &SharedKey,
    service: &Url,
    container: &str,
) -> sluice_files::Result<()> {
    let target = Target {
        operation: "create container",
        container,
        key: container,
    };
    let invalid = |detail: String| {
        classify(
            Failure {
                invalid_request: true,
                detail,
                ..Failure::default()
            },
            target,
        )
    };

    let mut url = service.clone();
    url.path_segments_mut()
        .map_err(|()| invalid(format!("'{service}' cannot have a path: fix store.url")))?
        .pop_if_empty()
        .push(container);
    url.query_pairs_mut().append_pair("restype", "container");

    let mut headers = HeaderMap::new();
    let date = httpdate::fmt_http_date(SystemTime::now());
    headers.insert(
        "x-ms-date",
        HeaderValue::from_str(&date).map_err(|e| invalid(e.to_string()))?,
    );
    headers.insert("x-ms-version", HeaderValue::from_static(API_VERSION));
    headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    let authorization = signer.authorization(&Method::PUT, &url, &headers);
    headers.insert(
        "authorization",
        HeaderValue::from_str(&authorization).map_err(|e| invalid(e.to_string()))?,
    );

    let response = http
        .put(url)
        .headers(headers)
        .body(Vec::<u8>::new())
        .send()
        .await
        .map_err(|e| classify(Failure::from_reqwest(&e), target))?;
    let status = response.status().as_u16();
    let code = response
        .headers()
        .get("x-ms-error-code")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match (status, code.as_deref()) {
        (201, _) => {
            debug!(container, "Created Azure container.");
            Ok(())
        }
        (409, Some("ContainerAlreadyExists")) => Ok(()),
        _ => {
            let body = response.text().await.unwrap_or_default();
            Err(classify(
                Failure::from_response(status, code, &body),
                target,
            ))
        }
    }
}
