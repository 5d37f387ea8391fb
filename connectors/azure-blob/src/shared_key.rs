//! Azure Storage SharedKey request signing, for the few requests `object_store` does not make.
//!
//! `object_store` signs its own blob requests but exposes neither its signer nor container
//! management, and the Azure SDK crates would bring a second HTTP stack for one request. The
//! scheme is small and fully specified ("Authorize with Shared Key", Blob service, version
//! 2009-09-19 and later), so it is implemented here:
//!
//! ```text
//! StringToSign = VERB \n Content-Encoding \n Content-Language \n Content-Length \n
//!                Content-MD5 \n Content-Type \n Date \n If-Modified-Since \n If-Match \n
//!                If-None-Match \n If-Unmodified-Since \n Range \n
//!                CanonicalizedHeaders CanonicalizedResource
//! Authorization = "SharedKey " account ":" Base64(HMAC-SHA256(Base64Decode(key), StringToSign))
//! ```
//!
//! - Content-Length is the empty string when it is zero (versions 2015-02-21 and later);
//! - CanonicalizedHeaders: every `x-ms-` header, name lower-cased, sorted by name, value with
//!   runs of whitespace folded to one space and trimmed, as `name:value\n`;
//! - CanonicalizedResource: `/` account, then the URI's encoded path (`/` when empty), then for
//!   each query parameter, sorted by lower-cased name, `\nname:value` with the parameter decoded
//!   and several values sorted and joined by commas.
//!
//! Requests should carry `x-ms-date` (then the Date line stays empty, as here) and `x-ms-version`.
//! For Azurite the path starts with the account name, which therefore appears twice in the
//! canonicalized resource (`/devstoreaccount1/devstoreaccount1/container`); that is what the spec
//! prescribes and what the emulator verifies.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use reqwest::Method;
use reqwest::header::HeaderMap;
use sha2::Sha256;
use url::Url;

/// The standard headers signed, in string-to-sign order (after the verb).
const SIGNED_STANDARD_HEADERS: [&str; 11] = [
    "content-encoding",
    "content-language",
    "content-length",
    "content-md5",
    "content-type",
    "date",
    "if-modified-since",
    "if-match",
    "if-none-match",
    "if-unmodified-since",
    "range",
];

/// An account name and its decoded key; `Debug` never shows the key.
#[derive(Clone)]
pub(crate) struct SharedKey {
    account: String,
    key: Vec<u8>,
}

impl fmt::Debug for SharedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedKey")
            .field("account", &self.account)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl SharedKey {
    /// A signer for `account`; `key_base64` is the account key as the portal shows it.
    pub(crate) fn new(account: &str, key_base64: &str) -> Result<SharedKey, base64::DecodeError> {
        Ok(SharedKey {
            account: account.to_owned(),
            key: BASE64.decode(key_base64.trim())?,
        })
    }

    /// The `Authorization` header value for a request with these method, URL and headers
    /// (the headers must already include `x-ms-date` and `x-ms-version`).
    pub(crate) fn authorization(&self, method: &Method, url: &Url, headers: &HeaderMap) -> String {
        let to_sign = string_to_sign(&self.account, method, url, headers);
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail here; the fallback
        // (an empty signature Azure will reject with 403) keeps this free of panics regardless.
        let signature = match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(mut mac) => {
                mac.update(to_sign.as_bytes());
                BASE64.encode(mac.finalize().into_bytes())
            }
            Err(_) => String::new(),
        };
        format!("SharedKey {}:{signature}", self.account)
    }
}

/// The SharedKey string-to-sign of a request (see the module documentation).
pub(crate) fn string_to_sign(
    account: &str,
    method: &Method,
    url: &Url,
    headers: &HeaderMap,
) -> String {
    let mut s = String::new();
    s.push_str(method.as_str());
    s.push('\n');
    for name in SIGNED_STANDARD_HEADERS {
        let value = header_str(headers, name);
        if !(name == "content-length" && value == "0") {
            s.push_str(value);
        }
        s.push('\n');
    }
    s.push_str(&canonicalized_headers(headers));
    s.push_str(&canonicalized_resource(account, url));
    s
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> &'h str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn canonicalized_headers(headers: &HeaderMap) -> String {
    // HeaderMap names are already lower case; a BTreeMap sorts them and groups repeats.
    let mut ms: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (name, value) in headers {
        if name.as_str().starts_with("x-ms-") {
            let folded = value
                .to_str()
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            ms.entry(name.as_str()).or_default().push(folded);
        }
    }
    ms.into_iter()
        .map(|(name, values)| format!("{name}:{}\n", values.join(",")))
        .collect()
}

fn canonicalized_resource(account: &str, url: &Url) -> String {
    let path = if url.path().is_empty() {
        "/"
    } else {
        url.path()
    };
    let mut s = format!("/{account}{path}");
    // `query_pairs` decodes names and values.
    let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in url.query_pairs() {
        params
            .entry(name.to_lowercase())
            .or_default()
            .push(value.into_owned());
    }
    for (name, mut values) in params {
        values.sort();
        s.push('\n');
        s.push_str(&name);
        s.push(':');
        s.push_str(&values.join(","));
    }
    s
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn string_to_sign_follows_the_spec_layout() {
        let url = Url::parse(
            "http://127.0.0.1:10000/devstoreaccount1/logs?restype=container&Comp=b%20c&comp=a",
        )
        .unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-ms-version", HeaderValue::from_static("2023-11-03"));
        headers.insert(
            "x-ms-date",
            HeaderValue::from_static("Sun, 11 Oct 2009 21:49:13 GMT"),
        );
        headers.insert("x-ms-meta-note", HeaderValue::from_static("  two   words "));
        headers.insert("content-length", HeaderValue::from_static("0"));
        headers.insert("content-type", HeaderValue::from_static("text/plain"));

        let expected = "PUT\n\n\n\n\ntext/plain\n\n\n\n\n\n\n\
            x-ms-date:Sun, 11 Oct 2009 21:49:13 GMT\n\
            x-ms-meta-note:two words\n\
            x-ms-version:2023-11-03\n\
            /devstoreaccount1/devstoreaccount1/logs\n\
            comp:a,b c\n\
            restype:container";
        assert_eq!(
            string_to_sign("devstoreaccount1", &Method::PUT, &url, &headers),
            expected
        );
    }

    #[test]
    fn non_zero_content_length_is_signed() {
        let url = Url::parse("https://acct.blob.core.windows.net/c/b").unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("content-length", HeaderValue::from_static("12"));
        let s = string_to_sign("acct", &Method::PUT, &url, &headers);
        assert!(s.starts_with("PUT\n\n\n12\n"), "{s:?}");
        assert!(s.ends_with("\n/acct/c/b"), "{s:?}");
    }

    #[test]
    fn debug_hides_the_key() {
        let k = SharedKey::new("acct", "c2VjcmV0LWtleQ==").unwrap();
        let text = format!("{k:?}");
        assert!(text.contains("acct") && text.contains("redacted"), "{text}");
        assert!(!text.contains("c2VjcmV0"), "{text}");
    }
}
