//! `PUT` of an in-memory file to a Snowflake stage, the way the official drivers do it.
//!
//! A driver never sends file bytes to Snowflake itself: it runs the `PUT` statement, Snowflake
//! answers with a description of the stage's cloud storage (`data.stageInfo`: location type,
//! location, temporary credentials or a presigned URL, and for client-side encrypted stages an
//! `encryptionMaterial`), and the driver uploads the file straight to that storage. A following
//! `COPY INTO <table> FROM @stage` then loads it.
//!
//! Steps here, matching the Python connector's GCS flow:
//! 1. compress the buffer with gzip unless its name already ends in `.gz` (the drivers'
//!    `AUTO_COMPRESS=TRUE` default, done client-side), giving the staged name `<name>.gz`;
//! 2. run `PUT 'file:///<staged name>' <stage> AUTO_COMPRESS=FALSE SOURCE_COMPRESSION=GZIP
//!    OVERWRITE=TRUE`. Naming the *staged* file in the command is what the drivers do for GCS
//!    stages (they re-issue the PUT with the destination name), so the presigned URL in the
//!    answer points at exactly that object;
//! 3. HTTP `PUT` the bytes to `stageInfo.presignedUrl` (or, when Snowflake hands out a
//!    `GCS_ACCESS_TOKEN` instead, to `https://storage.googleapis.com/<location><name>` with that
//!    bearer token), with the `x-goog-meta-sfc-digest` header (base64 SHA-256 of the uploaded
//!    bytes) that Snowflake uses to skip unchanged files.
//!
//! Not implemented, and refused with [`Error::Unsupported`] rather than uploading something
//! Snowflake could not read: client-side encrypted stages (an `encryptionMaterial` in the answer:
//! Snowflake's table and user stages, and named internal stages unless created with
//! `ENCRYPTION = (TYPE = 'SNOWFLAKE_SSE')`), and S3, Azure or server-local stages.

use std::io::Write as _;

use base64::Engine as _;
use flate2::Compression;
use flate2::write::GzEncoder;
use reqwest::header::AUTHORIZATION;
use sha2::{Digest as _, Sha256};
use url::Url;

use crate::client::{Session, parse, without_query};
use crate::error::{self, Error, Result};
use crate::wire::{PutData, StageInfo};

/// What a [`Session::put`] staged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutOutcome {
    /// The stage reference the file went to, as given.
    pub stage: String,
    /// The file name in the stage (ends in `.gz`); use it in `COPY … FILES = ('…')`.
    pub file_name: String,
    /// The number of bytes uploaded (after compression).
    pub uploaded_bytes: usize,
    /// Base64 SHA-256 of the uploaded bytes (Snowflake's `sfc-digest`).
    pub digest: String,
}

impl Session {
    /// Uploads `contents` as the file `file_name` to `stage` (a stage reference as in SQL:
    /// `@%TABLE`, `@MY_STAGE`, `@DB.SCHEMA.MY_STAGE/some/path`, `@~`). The file is gzip-compressed
    /// unless its name ends in `.gz`. `file_name` must be a plain file name (letters, digits,
    /// `.`, `_`, `-`); the stage reference is SQL and must be quoted by the caller where needed.
    pub async fn put(&self, stage: &str, file_name: &str, contents: &[u8]) -> Result<PutOutcome> {
        let action = format!("staging '{file_name}' to {stage}");
        check_file_name(file_name, &action)?;
        let (file_name, body) = if file_name.ends_with(".gz") {
            (file_name.to_string(), contents.to_vec())
        } else {
            (format!("{file_name}.gz"), gzip(contents, &action)?)
        };
        let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&body));

        let sql = format!(
            "PUT 'file:///{file_name}' {stage} AUTO_COMPRESS=FALSE SOURCE_COMPRESSION=GZIP OVERWRITE=TRUE"
        );
        let data: PutData = parse(self.execute(&sql).await?, &action)?;
        if data
            .command
            .as_deref()
            .is_some_and(|c| !c.eq_ignore_ascii_case("UPLOAD"))
        {
            return Err(Error::Protocol {
                action,
                detail: format!(
                    "PUT answered with command {:?}, expected UPLOAD",
                    data.command
                ),
            });
        }
        let encrypted = data
            .encryption_material
            .as_ref()
            .is_some_and(|m| !m.is_null())
            || data.stage_info.is_client_side_encrypted == Some(true);
        if encrypted {
            return Err(Error::Unsupported {
                action,
                what: "client-side encryption of staged files (use a named stage created with \
                       ENCRYPTION = (TYPE = 'SNOWFLAKE_SSE'))"
                    .into(),
            });
        }
        let (url, bearer) = upload_target(&data.stage_info, &file_name, &action)?;
        let mut request = self
            .http()
            .put(url.clone())
            // No Content-Type, as the drivers send none: a presigned URL may have been signed
            // without one, and GCS rejects headers that differ from the signature.
            .header("x-goog-meta-sfc-digest", &digest);
        if let Some(token) = bearer {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        let response =
            request
                .body(body.clone())
                .send()
                .await
                .map_err(|source| Error::Transport {
                    action: action.clone(),
                    url: without_query(&url),
                    source,
                })?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            return Err(Error::Upload {
                stage: stage.to_string(),
                file: file_name,
                status: status.as_u16(),
                body: error::shorten(&text),
            });
        }
        tracing::debug!(%stage, file = %file_name, bytes = body.len(), "Staged a file in Snowflake.");
        Ok(PutOutcome {
            stage: stage.to_string(),
            file_name,
            uploaded_bytes: body.len(),
            digest,
        })
    }
}

/// Where to upload, from the stage description: the URL and an optional bearer token.
fn upload_target(info: &StageInfo, file_name: &str, action: &str) -> Result<(Url, Option<String>)> {
    let unsupported = |what: String| Error::Unsupported {
        action: action.to_string(),
        what,
    };
    if !info.location_type.eq_ignore_ascii_case("GCS") {
        return Err(unsupported(format!(
            "uploading to a {} stage",
            info.location_type
        )));
    }
    let bad_url = |e: url::ParseError| Error::Protocol {
        action: action.to_string(),
        detail: format!("bad stage URL: {e}"),
    };
    if let Some(presigned) = info.presigned_url.as_deref().filter(|u| !u.is_empty()) {
        return Ok((Url::parse(presigned).map_err(bad_url)?, None));
    }
    let token = info
        .creds
        .as_ref()
        .and_then(|c| c.get("GCS_ACCESS_TOKEN"))
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::Protocol {
            action: action.to_string(),
            detail: "the GCS stage has neither a presigned URL nor an access token".into(),
        })?;
    let location = info.location.as_deref().unwrap_or_default();
    let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
    let host = info
        .end_point
        .as_deref()
        .filter(|e| !e.is_empty())
        .unwrap_or("storage.googleapis.com");
    let mut url = Url::parse(&format!("https://{host}/")).map_err(bad_url)?;
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().push(bucket);
        segments.extend(prefix.split('/').filter(|s| !s.is_empty()));
        segments.push(file_name);
    }
    Ok((url, Some(token.to_string())))
}

fn check_file_name(name: &str, action: &str) -> Result<()> {
    let valid = !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if valid {
        Ok(())
    } else {
        Err(Error::InvalidRequest(format!(
            "{action}: the file name must be non-empty, not start with '.', and use only letters, digits, '.', '_' and '-'"
        )))
    }
}

fn gzip(contents: &[u8], action: &str) -> Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(
        Vec::with_capacity(contents.len() / 4 + 64),
        Compression::default(),
    );
    encoder
        .write_all(contents)
        .and_then(|()| encoder.finish())
        .map_err(|e| Error::InvalidRequest(format!("{action}: gzip compression failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcs_access_token_stages_upload_to_the_bucket_path() {
        let info: StageInfo = serde_json::from_value(serde_json::json!({
            "locationType": "GCS",
            "location": "sfc-bucket/stages/abc/",
            "creds": {"GCS_ACCESS_TOKEN": "tok"},
        }))
        .unwrap();
        let (url, token) = upload_target(&info, "f.csv.gz", "test").unwrap();
        assert_eq!(
            url.as_str(),
            "https://storage.googleapis.com/sfc-bucket/stages/abc/f.csv.gz"
        );
        assert_eq!(token.as_deref(), Some("tok"));
    }

    #[test]
    fn s3_stages_and_odd_file_names_are_refused() {
        let info: StageInfo =
            serde_json::from_value(serde_json::json!({"locationType": "S3"})).unwrap();
        assert!(matches!(
            upload_target(&info, "f.gz", "t"),
            Err(Error::Unsupported { .. })
        ));
        assert!(check_file_name("a b.csv", "t").is_err());
        assert!(check_file_name("x'.csv", "t").is_err());
        assert!(check_file_name("batch-0001_a.csv", "t").is_ok());
    }
}
