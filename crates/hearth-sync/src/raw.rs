//! The transport alone, for hearth-bench: bytes through one iroh stream
//! between two endpoints bound as Hearth binds its own (relays, address
//! lookup and the port mapper off) on loopback, with no protocol on top, so
//! that the sync exchange's time can be set beside what the wire itself
//! takes.

use crate::NetError;
use iroh::endpoint::{PortmapperConfig, presets};
use iroh::{Endpoint, RelayMode, SecretKey};
use std::time::{Duration, Instant};

const ALPN: &[u8] = b"hearth/raw-bench/1";

async fn endpoint() -> Result<Endpoint, NetError> {
    Endpoint::builder(presets::Minimal)
        .secret_key(SecretKey::from_bytes(&rand::random()))
        .relay_mode(RelayMode::Disabled)
        .portmapper_config(PortmapperConfig::Disabled)
        .clear_ip_transports()
        .bind_addr("127.0.0.1:0")
        .map_err(|e| NetError::Bind(e.to_string()))?
        .alpns(vec![ALPN.to_vec()])
        .bind()
        .await
        .map_err(|e| NetError::Bind(e.to_string()))
}

/// Send `bytes` bytes from one endpoint to another over one stream and wait
/// for the receiver to have read them all: the time from dialling to that.
pub async fn transfer(bytes: usize) -> Result<Duration, NetError> {
    let (sender, receiver) = (endpoint().await?, endpoint().await?);
    let addr = receiver.addr();
    let fail = |e: &dyn std::fmt::Display| NetError::Connect(e.to_string());
    let receiving = async {
        let incoming = receiver
            .accept()
            .await
            .ok_or_else(|| fail(&"no connection"))?;
        let conn = incoming.await.map_err(|e| fail(&e))?;
        let (mut send, mut recv) = conn.accept_bi().await.map_err(|e| fail(&e))?;
        let got = recv.read_to_end(bytes + 1).await.map_err(|e| fail(&e))?;
        send.write_all(&[1]).await.map_err(|e| fail(&e))?;
        send.finish().map_err(|e| fail(&e))?;
        conn.closed().await;
        Ok::<usize, NetError>(got.len())
    };
    let sending = async {
        let started = Instant::now();
        let conn = sender.connect(addr, ALPN).await.map_err(|e| fail(&e))?;
        let (mut send, mut recv) = conn.open_bi().await.map_err(|e| fail(&e))?;
        let chunk = vec![7u8; 64 << 10];
        let mut left = bytes;
        while left > 0 {
            let n = left.min(chunk.len());
            send.write_all(&chunk[..n]).await.map_err(|e| fail(&e))?;
            left -= n;
        }
        send.finish().map_err(|e| fail(&e))?;
        let mut ack = [0u8; 1];
        recv.read_exact(&mut ack).await.map_err(|e| fail(&e))?;
        let took = started.elapsed();
        conn.close(0u32.into(), b"done");
        Ok::<Duration, NetError>(took)
    };
    let (got, took) = tokio::join!(receiving, sending);
    sender.close().await;
    receiver.close().await;
    let got = got?;
    if got != bytes {
        return Err(NetError::Connect(format!("{got} of {bytes} bytes arrived")));
    }
    took
}
