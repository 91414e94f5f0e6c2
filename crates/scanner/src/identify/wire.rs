//! One conversation with a service, with every read bounded in bytes and
//! in time.
//!
//! A probe sends a request and reads until the answer is complete by the
//! protocol's own rule, the peer closes, the byte limit is reached or the
//! deadline passes, whichever comes first. The limit is what makes a 10 MB
//! banner cost 16 KiB, and the deadline what makes a silent port cost a
//! bounded time.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

/// What most banners and short answers may take.
pub(crate) const SMALL_LIMIT: usize = 16 * 1024;

/// What an HTTP response, a TLS server flight (certificates) or a directory
/// root entry may take.
pub(crate) const LARGE_LIMIT: usize = 64 * 1024;

/// Anything a probe can talk over: a TCP stream, or TLS on top of one.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// How a read ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadEnd {
    /// The protocol's own rule says the answer is whole.
    Complete,
    /// The peer closed (or reset) the connection.
    Closed,
    /// The byte limit was reached.
    Full,
    /// The deadline passed.
    TimedOut,
}

/// A connection and what was read from it so far.
pub(crate) struct Wire {
    stream: Box<dyn Stream>,
    received: Vec<u8>,
    limit: usize,
    closed: bool,
    /// Once an answer has started, how long a pause ends it: an answer
    /// that is not complete by its protocol's rule after this much silence
    /// is not going to be (junk, or another protocol).
    quiet: Option<Duration>,
}

impl Wire {
    /// Connects to `address`, waiting at most `wait` (and never past
    /// `deadline`).
    pub(crate) async fn connect(
        address: SocketAddr,
        wait: Duration,
        deadline: Instant,
    ) -> io::Result<TcpStream> {
        let until = (Instant::now() + wait).min(deadline);
        let stream = timeout_at(until, TcpStream::connect(address))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connect timed out"))??;
        // Requests are small and whole: no reason to let Nagle hold them.
        let _ = stream.set_nodelay(true);
        Ok(stream)
    }

    pub(crate) fn new(stream: impl Stream + 'static, limit: usize) -> Wire {
        Wire {
            stream: Box::new(stream),
            received: Vec::new(),
            limit,
            closed: false,
            quiet: None,
        }
    }

    /// Ends reads after `quiet` without new bytes, once some have come.
    pub(crate) fn with_quiet(mut self, quiet: Duration) -> Wire {
        self.quiet = Some(quiet);
        self
    }

    /// Everything read since the last [`Wire::take`].
    pub(crate) fn received(&self) -> &[u8] {
        &self.received
    }

    /// Hands over what was read, leaving the buffer empty for the next
    /// exchange.
    pub(crate) fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.received)
    }

    /// Writes `bytes` whole, or fails at the deadline.
    pub(crate) async fn send(&mut self, bytes: &[u8], deadline: Instant) -> io::Result<()> {
        timeout_at(deadline, async {
            self.stream.write_all(bytes).await?;
            self.stream.flush().await
        })
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "send timed out"))?
    }

    /// Reads until `complete` says the answer is whole, the peer closes,
    /// the limit is reached or `deadline` passes.
    pub(crate) async fn read_until(
        &mut self,
        deadline: Instant,
        complete: impl Fn(&[u8]) -> bool,
    ) -> ReadEnd {
        let mut chunk = [0u8; 4096];
        let started = self.received.len();
        loop {
            if complete(&self.received) {
                return ReadEnd::Complete;
            }
            if self.closed {
                return ReadEnd::Closed;
            }
            let room = self.limit.saturating_sub(self.received.len());
            if room == 0 {
                return ReadEnd::Full;
            }
            let want = room.min(chunk.len());
            let until = match self.quiet {
                Some(quiet) if started < self.received.len() => {
                    deadline.min(Instant::now() + quiet)
                }
                _ => deadline,
            };
            match timeout_at(until, self.stream.read(&mut chunk[..want])).await {
                Err(_) => return ReadEnd::TimedOut,
                Ok(Ok(0)) | Ok(Err(_)) => self.closed = true,
                Ok(Ok(read)) => self.received.extend_from_slice(&chunk[..read]),
            }
        }
    }

    /// Closes our side politely; errors do not matter any more.
    pub(crate) async fn shutdown(mut self) {
        let _ = tokio::time::timeout(Duration::from_millis(200), self.stream.shutdown()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    #[tokio::test]
    async fn a_flood_is_cut_at_the_limit() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let block = vec![b'A'; 64 * 1024];
            for _ in 0..160 {
                if socket.write_all(&block).await.is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        let stream = Wire::connect(address, Duration::from_secs(2), deadline)
            .await
            .unwrap();
        let mut wire = Wire::new(stream, SMALL_LIMIT);
        assert_eq!(wire.read_until(deadline, |_| false).await, ReadEnd::Full);
        assert_eq!(wire.received().len(), SMALL_LIMIT);
    }

    #[tokio::test]
    async fn a_pause_after_an_incomplete_answer_ends_the_read() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            socket.write_all(b"no line end").await.unwrap();
            tokio::time::sleep(Duration::from_secs(30)).await;
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        let stream = Wire::connect(address, Duration::from_secs(2), deadline)
            .await
            .unwrap();
        let mut wire = Wire::new(stream, SMALL_LIMIT).with_quiet(Duration::from_millis(50));
        let end = wire.read_until(deadline, |b| b.contains(&b'\n')).await;
        assert_eq!(end, ReadEnd::TimedOut);
        assert_eq!(wire.received(), b"no line end");
        assert!(
            Instant::now() < deadline,
            "ended by the pause, not the deadline"
        );
    }

    #[tokio::test]
    async fn a_line_completes_a_read_and_close_ends_one() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            socket.write_all(b"220 ready\r\nmore").await.unwrap();
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        let stream = Wire::connect(address, Duration::from_secs(2), deadline)
            .await
            .unwrap();
        let mut wire = Wire::new(stream, SMALL_LIMIT);
        assert_eq!(
            wire.read_until(deadline, |b| b.contains(&b'\n')).await,
            ReadEnd::Complete
        );
        assert!(wire.received().starts_with(b"220 ready"));
        assert_eq!(wire.read_until(deadline, |_| false).await, ReadEnd::Closed);
        assert!(wire.received().ends_with(b"more"));
    }
}
