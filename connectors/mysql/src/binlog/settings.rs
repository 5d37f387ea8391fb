//! The server settings row-based change capture depends on, read and checked before
//! streaming, so a misconfigured server fails fast with the fix in the message instead of
//! producing wrong or nameless rows later.

use std::collections::HashMap;

use mysql_async::prelude::Queryable;

use crate::error::{Error, Result};

/// The binlog-related settings of a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    /// `@@version`.
    pub version: String,
    /// `@@log_bin`.
    pub log_bin: bool,
    /// `@@binlog_format`.
    pub binlog_format: String,
    /// `@@binlog_row_image`.
    pub binlog_row_image: String,
    /// `@@binlog_row_metadata` (`None` on servers without it).
    pub binlog_row_metadata: Option<String>,
    /// `@@binlog_checksum`.
    pub binlog_checksum: String,
    /// `@@server_id`.
    pub server_id: u32,
}

impl ServerSettings {
    /// Reads the settings (`SHOW GLOBAL VARIABLES`, which simply omits variables an older
    /// server lacks instead of failing).
    pub(crate) async fn read(
        conn: &mut mysql_async::Conn,
    ) -> Result<ServerSettings, mysql_async::Error> {
        let rows: Vec<(String, String)> = conn
            .query(
                "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('version', 'log_bin', 'binlog_format', \
                 'binlog_row_image', 'binlog_row_metadata', 'binlog_checksum', 'server_id')",
            )
            .await?;
        let mut vars: HashMap<String, String> = rows
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        let mut take = |k: &str| vars.remove(k).unwrap_or_default();
        Ok(ServerSettings {
            version: take("version"),
            log_bin: matches!(take("log_bin").to_ascii_uppercase().as_str(), "ON" | "1"),
            binlog_format: take("binlog_format").to_ascii_uppercase(),
            binlog_row_image: take("binlog_row_image").to_ascii_uppercase(),
            binlog_row_metadata: vars
                .remove("binlog_row_metadata")
                .map(|v| v.to_ascii_uppercase()),
            binlog_checksum: vars.remove("binlog_checksum").unwrap_or_default(),
            server_id: vars
                .remove("server_id")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        })
    }

    /// Checks that rows can be captured with column names and full before/after images.
    pub fn validate(&self) -> Result<()> {
        if !self.log_bin {
            return Err(Error::ServerSetting {
                name: "log_bin",
                found: "OFF".into(),
                required: "ON",
                fix: "Start the server with --log-bin (and a server_id).",
            });
        }
        if self.binlog_format != "ROW" {
            return Err(Error::ServerSetting {
                name: "binlog_format",
                found: self.binlog_format.clone(),
                required: "ROW",
                fix: "Set binlog_format=ROW in the server configuration (SET GLOBAL only affects new sessions).",
            });
        }
        if self.binlog_row_image != "FULL" {
            return Err(Error::ServerSetting {
                name: "binlog_row_image",
                found: self.binlog_row_image.clone(),
                required: "FULL",
                fix: "Set binlog_row_image=FULL so updates and deletes carry whole rows.",
            });
        }
        if self.binlog_row_metadata.as_deref() != Some("FULL") {
            return Err(Error::ServerSetting {
                name: "binlog_row_metadata",
                found: self
                    .binlog_row_metadata
                    .clone()
                    .unwrap_or_else(|| "not supported".into()),
                required: "FULL",
                fix: "Set binlog_row_metadata=FULL (MariaDB 10.5+, MySQL 8.0+) so row events carry column names.",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok() -> ServerSettings {
        ServerSettings {
            version: "10.11.0-MariaDB".into(),
            log_bin: true,
            binlog_format: "ROW".into(),
            binlog_row_image: "FULL".into(),
            binlog_row_metadata: Some("FULL".into()),
            binlog_checksum: "CRC32".into(),
            server_id: 1,
        }
    }

    #[test]
    fn validates_each_setting() {
        assert!(ok().validate().is_ok());
        let bad = ServerSettings {
            binlog_format: "MIXED".into(),
            ..ok()
        };
        let e = bad.validate().unwrap_err().to_string();
        assert!(
            e.contains("binlog_format is 'MIXED'") && e.contains("ROW"),
            "{e}"
        );
        assert!(
            ServerSettings {
                log_bin: false,
                ..ok()
            }
            .validate()
            .is_err()
        );
        assert!(
            ServerSettings {
                binlog_row_image: "MINIMAL".into(),
                ..ok()
            }
            .validate()
            .is_err()
        );
        let e = ServerSettings {
            binlog_row_metadata: None,
            ..ok()
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert!(e.contains("not supported"), "{e}");
    }
}
