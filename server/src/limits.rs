//! Per-address and per-certificate rate limits, counted in the database so that every instance
//! behind a load balancer sees the same counts (fixed one-minute windows).

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};

use crate::{error::ApiError, AppState};

/// The length of a window.
pub const WINDOW_MS: i64 = 60_000;

/// The client's address: the peer, or the last `X-Forwarded-For` hop behind a trusted proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.settings.trust_forwarded_for {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(','))
                .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
                .next_back();
            if forwarded.is_some() {
                return Ok(Self(forwarded));
            }
        }
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(peer)| peer.ip()),
        ))
    }
}

/// Counts one request in `bucket` and refuses it past `limit` per window (`limit` 0: no limit).
///
/// # Errors
/// [`ApiError::RateLimited`] past the limit, with the seconds to wait; [`ApiError::Internal`]
/// when the database fails.
pub async fn check(state: &AppState, bucket: &str, limit: i64) -> Result<(), ApiError> {
    if limit <= 0 {
        return Ok(());
    }
    let now = state.now_ms();
    let window = now - now.rem_euclid(WINDOW_MS);
    let hits = state.db.hit(bucket, window).await?;
    if hits > limit {
        let retry_after = u64::try_from((window + WINDOW_MS - now + 999) / 1000).unwrap_or(60);
        return Err(ApiError::RateLimited { retry_after });
    }
    Ok(())
}

/// The per-address limit.
///
/// # Errors
/// As [`check`].
pub async fn per_ip(state: &AppState, ip: ClientIp) -> Result<(), ApiError> {
    let bucket = match ip.0 {
        Some(ip) => format!("ip:{ip}"),
        None => "ip:unknown".to_owned(),
    };
    check(state, &bucket, state.settings.rate_limit_ip).await
}

/// The per-certificate limit.
///
/// # Errors
/// As [`check`].
pub async fn per_certificate(state: &AppState, certificate_key: &str) -> Result<(), ApiError> {
    check(
        state,
        &format!("cert:{certificate_key}"),
        state.settings.rate_limit_certificate,
    )
    .await
}
