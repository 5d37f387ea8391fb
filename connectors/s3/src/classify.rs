//! The one place where S3 SDK errors become [`sluice_files::Error`]s.
//!
//! Every S3 call of this crate maps its failure through [`classify`], so the retriable/definite
//! decision and the operator's hint live together:
//!
//! - **not found**: `NoSuchKey` on a read becomes [`sluice_files::Error::NotFound`], the answer the
//!   commit protocol expects when it probes for an object;
//! - **definite** (retrying the same request cannot succeed; the task must fail with a message
//!   saying what to fix): a missing bucket, denied access, unknown key id, bad signature, a wrong
//!   region, a malformed request, a vanished multipart upload;
//! - **retriable** (the same request may succeed later): throttling, 5xx, 408/429, timeouts,
//!   connection failures, unparseable responses and anything unknown. Unknown errors are treated as
//!   transient on purpose: a wrong "retriable" costs a few retries before the task restarts and
//!   surfaces the error, a wrong "definite" kills a task that would have recovered.
//!
//! The SDK already retries throttling and transient errors a few times with backoff (its standard
//! retry mode); an error classified retriable here has outlived those retries.

use std::error::Error as StdError;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::{RequestId, RequestIdExt};
use sluice_files::Error;

/// The store name in every error of this crate.
pub(crate) const STORE: &str = "S3";

/// What the failed request was about, for the error message.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    /// The operation, as it appears in the message ("put", "get", …).
    pub(crate) operation: &'static str,
    /// The bucket addressed.
    pub(crate) bucket: &'a str,
    /// The object key or prefix addressed (empty for bucket operations).
    pub(crate) key: &'a str,
}

/// Maps any S3 SDK error to a [`sluice_files::Error`], deciding whether a retry may help and
/// telling the operator what to fix when it cannot.
pub(crate) fn classify<E>(err: SdkError<E, HttpResponse>, target: Target<'_>) -> Error
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let code = err.code().map(str::to_owned);
    let status = err.raw_response().map(|r| r.status().as_u16());
    let detail = describe(&err);
    let bucket = target.bucket;

    let (retriable, hint): (bool, String) = match &err {
        SdkError::ConstructionFailure(_) => (
            false,
            "the request could not be built; check the object key and the S3 settings".into(),
        ),
        SdkError::TimeoutError(_) => (true, "the request timed out".into()),
        SdkError::ResponseError(_) => (true, "S3 sent a response that could not be read".into()),
        SdkError::DispatchFailure(failure) => match credentials_error(&err) {
            Some(CredentialsError::CredentialsNotLoaded(_)) => (
                false,
                "no AWS credentials were found: set aws.access.key.id and aws.secret.access.key, \
                 or provide credentials through the default AWS provider chain \
                 (environment, profile, instance role)"
                    .into(),
            ),
            Some(CredentialsError::InvalidConfiguration(_)) => (
                false,
                "the AWS credentials configuration is invalid: fix the AWS profile or \
                 environment variables"
                    .into(),
            ),
            Some(_) => (true, "the AWS credentials provider failed".into()),
            None if failure.is_user() => (
                false,
                "the request could not be sent: check the S3 endpoint (store.url)".into(),
            ),
            None if failure.is_timeout() => (true, "the connection to S3 timed out".into()),
            None => (true, "the connection to S3 failed".into()),
        },
        _ => match code.as_deref() {
            Some("NoSuchKey" | "NotFound") => {
                return Error::NotFound {
                    store: STORE,
                    key: target.key.to_owned(),
                };
            }
            Some(c) => by_code(c, status, bucket),
            None => by_status(status, target.operation, bucket),
        },
    };

    let message = format!("{hint} ({detail})");
    Error::Store {
        store: STORE,
        operation: target.operation,
        key: target.key.to_owned(),
        message,
        retriable,
    }
}

/// Classifies a service error by its S3 error code.
fn by_code(code: &str, status: Option<u16>, bucket: &str) -> (bool, String) {
    let definite = |hint: String| (false, hint);
    match code {
        "NoSuchBucket" => definite(format!(
            "bucket '{bucket}' does not exist: create it or fix s3.bucket.name"
        )),
        "AccessDenied" | "AllAccessDisabled" | "AccountProblem" => definite(format!(
            "access to bucket '{bucket}' was denied: grant these credentials s3:PutObject, \
             s3:GetObject, s3:ListBucket and s3:AbortMultipartUpload on it, or use other credentials"
        )),
        "InvalidAccessKeyId" => {
            definite("S3 does not know this access key id: fix aws.access.key.id".into())
        }
        "SignatureDoesNotMatch" => {
            definite("the request signature does not match: fix aws.secret.access.key".into())
        }
        "PermanentRedirect"
        | "AuthorizationHeaderMalformed"
        | "IllegalLocationConstraintException" => definite(format!(
            "bucket '{bucket}' is in another region: fix s3.region"
        )),
        "InvalidBucketName" => definite(format!(
            "'{bucket}' is not a valid bucket name: fix s3.bucket.name"
        )),
        "BucketAlreadyExists" => definite(format!(
            "bucket name '{bucket}' is taken by another account: choose another s3.bucket.name"
        )),
        "NoSuchUpload" => definite(
            "the multipart upload no longer exists (aborted, completed, or expired by a \
             lifecycle rule); the file will be written again"
                .into(),
        ),
        "EntityTooSmall"
        | "EntityTooLarge"
        | "InvalidPart"
        | "InvalidPartOrder"
        | "MalformedXML"
        | "InvalidArgument"
        | "InvalidRequest"
        | "KeyTooLongError"
        | "MethodNotAllowed"
        | "InvalidObjectState"
        | "MissingContentLength" => definite(
            "S3 rejected the request as invalid; check the part sizes (every part but the last \
             must be at least 5 MiB) and the object key"
                .into(),
        ),
        "SlowDown"
        | "Throttling"
        | "ThrottlingException"
        | "RequestLimitExceeded"
        | "TooManyRequestsException"
        | "RequestThrottled" => (true, "S3 is throttling requests".into()),
        "InternalError"
        | "ServiceUnavailable"
        | "RequestTimeout"
        | "RequestTimeTooSkewed"
        | "ExpiredToken"
        | "TokenRefreshRequired"
        | "OperationAborted" => (true, "S3 could not serve the request now".into()),
        _ => by_status(status, "request", bucket),
    }
}

/// Classifies an error without a known code by its HTTP status.
fn by_status(status: Option<u16>, operation: &str, bucket: &str) -> (bool, String) {
    match status {
        // A HEAD-style answer carries no body, hence no code.
        Some(403) => (
            false,
            format!(
                "access to bucket '{bucket}' was denied: check the credentials and their policy"
            ),
        ),
        Some(404) => (
            false,
            format!(
                "S3 found no such resource: check that bucket '{bucket}' exists (s3.bucket.name)"
            ),
        ),
        Some(s) if s >= 500 || s == 429 || s == 408 => {
            (true, format!("S3 answered {s} to the {operation}"))
        }
        // Unknown: transient, see the module documentation.
        Some(s) => (true, format!("S3 answered {s} to the {operation}")),
        None => (true, format!("the {operation} failed")),
    }
}

/// The store's own words, on one line: for an answer from S3 its error code, message, HTTP
/// status and request id (what AWS support asks for); otherwise the chain of causes. (The SDK's
/// `DisplayErrorContext` would also dump the raw response.)
fn describe<E>(err: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let mut text = match (err.raw_response(), err.code()) {
        (Some(response), code) => {
            let mut t = format!("S3 error {}", code.unwrap_or("without a code"));
            if let Some(message) = err.message() {
                t.push_str(&format!(": {message}"));
            }
            t.push_str(&format!("; HTTP {}", response.status().as_u16()));
            if let Some(id) = err.request_id() {
                t.push_str(&format!("; request id {id}"));
            }
            if let Some(id) = err.extended_request_id() {
                t.push_str(&format!("; extended request id {id}"));
            }
            t
        }
        (None, _) => err.to_string(),
    };
    if err.raw_response().is_none() {
        let mut source = err.source();
        while let Some(e) = source {
            let s = e.to_string();
            if !text.contains(&s) {
                text.push_str(": ");
                text.push_str(&s);
            }
            source = e.source();
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The credentials-provider error somewhere in `err`'s source chain, if that is why it failed.
fn credentials_error<'e>(err: &'e (dyn StdError + 'static)) -> Option<&'e CredentialsError> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<CredentialsError>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_decide_retriability() {
        assert!(by_code("SlowDown", Some(503), "b").0);
        assert!(by_code("InternalError", Some(500), "b").0);
        let (retriable, hint) = by_code("AccessDenied", Some(403), "b");
        assert!(!retriable);
        assert!(hint.contains("bucket 'b'"), "{hint}");
        let (retriable, hint) = by_code("InvalidAccessKeyId", Some(403), "b");
        assert!(!retriable && hint.contains("aws.access.key.id"), "{hint}");
        assert!(!by_code("NoSuchUpload", Some(404), "b").0);
    }

    #[test]
    fn unknown_codes_fall_back_to_the_status() {
        assert!(by_code("SomethingNew", Some(503), "b").0);
        assert!(!by_code("SomethingNew", Some(403), "b").0);
        // Unknown means transient.
        assert!(by_code("SomethingNew", Some(400), "b").0);
        assert!(by_status(None, "get", "b").0);
    }
}
