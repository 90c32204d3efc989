//! How a process reaches NATS: the server list (one URL or a comma-separated list of the
//! nodes of a cluster), the credentials (a `.creds` file, a user and password, or a token)
//! and TLS files, turned into async-nats connect options.
//!
//! It does not read the environment or the command line (the binary does) and decides
//! nothing about topology. Secrets never appear in `Debug` output.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing::{error, info, warn};

use crate::BusError;

/// Where NATS is and who we are to it.
#[derive(Clone, Default)]
pub struct Connection {
    /// One server URL, or a comma-separated list (`nats://a:4222,nats://b:4222`): the
    /// client connects to one of them and fails over to the others (and to the servers
    /// the cluster announces).
    pub url: String,
    /// A NATS credentials file (JWT and nkey seed).
    pub creds_file: Option<PathBuf>,
    /// User name (with [`Connection::password`]).
    pub user: Option<String>,
    /// Password of [`Connection::user`].
    pub password: Option<String>,
    /// An authentication token.
    pub token: Option<String>,
    /// CA certificate (PEM) to verify the server with; setting any TLS file requires TLS.
    pub tls_ca: Option<PathBuf>,
    /// Client certificate (PEM), with [`Connection::tls_key`], for mutual TLS.
    pub tls_cert: Option<PathBuf>,
    /// Client key (PEM) of [`Connection::tls_cert`].
    pub tls_key: Option<PathBuf>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |s: &Option<String>| s.as_ref().map(|_| "<redacted>");
        f.debug_struct("Connection")
            .field("url", &self.url)
            .field("creds_file", &self.creds_file)
            .field("user", &self.user)
            .field("password", &redact(&self.password))
            .field("token", &redact(&self.token))
            .field("tls_ca", &self.tls_ca)
            .field("tls_cert", &self.tls_cert)
            .field("tls_key", &self.tls_key)
            .finish()
    }
}

impl Connection {
    /// A connection to `url` (one URL or a comma-separated list) with no credentials.
    pub fn url(url: &str) -> Connection {
        Connection {
            url: url.to_string(),
            ..Default::default()
        }
    }

    /// The server URLs, checked: at least one, each a valid NATS URL or `host:port`.
    pub fn servers(&self) -> Result<Vec<async_nats::ServerAddr>, BusError> {
        let mut out = Vec::new();
        for part in self.url.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let addr = part
                .parse::<async_nats::ServerAddr>()
                .map_err(|e| BusError::Config {
                    message: format!("invalid NATS server URL {part:?}: {e}"),
                })?;
            out.push(addr);
        }
        if out.is_empty() {
            return Err(BusError::Config {
                message: format!("no NATS server URL in {:?}", self.url),
            });
        }
        Ok(out)
    }

    /// The connect options, before the connection name and event handling are added.
    pub(crate) async fn options(&self) -> Result<async_nats::ConnectOptions, BusError> {
        let config = |message: String| BusError::Config { message };
        let ways = [
            self.creds_file.is_some(),
            self.user.is_some() || self.password.is_some(),
            self.token.is_some(),
        ];
        if ways.iter().filter(|w| **w).count() > 1 {
            return Err(config(
                "give one way to authenticate to NATS: a credentials file, a user and password, or a token"
                    .into(),
            ));
        }
        // async-nats (ring) and reqwest (aws-lc-rs) both bring a rustls crypto provider, so
        // rustls cannot pick one by itself: choose ring, async-nats's own, for the process
        // (once; later calls keep the first).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut opts = async_nats::ConnectOptions::new();
        if let Some(path) = &self.creds_file {
            opts = opts.credentials_file(path).await.map_err(|e| {
                config(format!(
                    "cannot read NATS credentials file {}: {e}",
                    path.display()
                ))
            })?;
        }
        match (&self.user, &self.password) {
            (Some(u), Some(p)) => opts = opts.user_and_password(u.clone(), p.clone()),
            (Some(_), None) => return Err(config("a NATS user needs a password".into())),
            (None, Some(_)) => return Err(config("a NATS password needs a user".into())),
            (None, None) => {}
        }
        if let Some(t) = &self.token {
            opts = opts.token(t.clone());
        }
        if let Some(ca) = &self.tls_ca {
            opts = opts.add_root_certificates(ca.clone()).require_tls(true);
        }
        match (&self.tls_cert, &self.tls_key) {
            (Some(c), Some(k)) => {
                opts = opts
                    .add_client_certificate(c.clone(), k.clone())
                    .require_tls(true)
            }
            (None, None) => {}
            _ => {
                return Err(config(
                    "a TLS client certificate needs its key, and a key its certificate".into(),
                ));
            }
        }
        Ok(opts)
    }
}

/// Permission violations the server reported on this connection, most recent last: a
/// request the server refused gets no answer, so a timed-out request is looked up here
/// to say "denied" instead of "timed out".
#[derive(Clone, Default)]
pub(crate) struct Violations(Arc<Mutex<std::collections::VecDeque<String>>>);

impl Violations {
    const KEEP: usize = 64;

    fn record(&self, message: String) {
        let mut v = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if v.len() == Self::KEEP {
            v.pop_front();
        }
        v.push_back(message);
    }

    /// The recorded violation naming `subject`, if any.
    pub(crate) fn about(&self, subject: &str) -> Option<String> {
        let quoted = format!("\"{subject}\"");
        let v = self.0.lock().unwrap_or_else(|p| p.into_inner());
        v.iter().rev().find(|m| m.contains(&quoted)).cloned()
    }
}

/// Adds the connection name, timeouts, reconnect backoff and the event log to `opts`.
pub(crate) fn finish_options(
    opts: async_nats::ConnectOptions,
    name: &str,
    violations: &Violations,
) -> async_nats::ConnectOptions {
    let violations = violations.clone();
    let name = name.to_string();
    let log_name = name.clone();
    opts.name(name)
        .connection_timeout(Duration::from_secs(5))
        // Reconnect for ever: with several servers the client moves to another node;
        // with one it waits for the server to come back.
        .max_reconnects(None)
        .reconnect_delay_callback(|attempts| {
            Duration::from_millis((50u64 << attempts.min(5) as u64).min(2000))
        })
        .event_callback(move |event| {
            let (violations, name) = (violations.clone(), log_name.clone());
            async move {
                use async_nats::{Event, ServerError};
                match event {
                    Event::Connected => info!(client = %name, "connected to nats"),
                    Event::Disconnected => warn!(client = %name, "disconnected from nats, reconnecting"),
                    Event::LameDuckMode => warn!(client = %name, "nats server entering lame duck mode"),
                    Event::ServerError(ServerError::Other(m)) if m.contains("Permissions Violation") => {
                        error!(client = %name, violation = %m, "nats refused an operation this user has no permission for");
                        violations.record(m);
                    }
                    Event::ServerError(e) => warn!(client = %name, error = %e, "nats server error"),
                    Event::ClientError(e) => warn!(client = %name, error = %e, "nats client error"),
                    Event::SlowConsumer(sid) => warn!(client = %name, sid, "slow consumer"),
                    Event::Draining | Event::Closed => {}
                }
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_lists() {
        let c = Connection::url("nats://127.0.0.1:4222, nats://127.0.0.1:4223,,127.0.0.1:4224");
        assert_eq!(c.servers().unwrap().len(), 3);
        assert!(Connection::url("").servers().is_err());
        assert!(Connection::url(" , ").servers().is_err());
        assert!(Connection::url("nats://a:4222,http://b:4222").servers().is_err());
    }

    #[test]
    fn secrets_are_redacted() {
        let c = Connection {
            url: "nats://x:4222".into(),
            user: Some("fetcher".into()),
            password: Some("hunter2-secret".into()),
            token: Some("tok-secret".into()),
            ..Default::default()
        };
        let s = format!("{c:?}");
        assert!(!s.contains("hunter2") && !s.contains("tok-secret"), "{s}");
        assert!(s.contains("fetcher"));
    }

    #[test]
    fn violations_are_found_by_subject() {
        let v = Violations::default();
        v.record("Permissions Violation for Publish to \"wirefold.clusters.created.c1\"".into());
        assert!(v.about("wirefold.clusters.created.c1").is_some());
        assert!(v.about("wirefold.clusters.created.c").is_none());
    }
}
