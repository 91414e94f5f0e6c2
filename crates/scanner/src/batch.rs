//! Many datagrams per system call: `sendmmsg` out, `recvmmsg` in.
//!
//! A full SYN scan of a host on the local network hands the kernel a
//! quarter of a million packets a second and reads as many replies. One
//! system call per packet costs the call's own entry and exit, a file
//! lookup and a copy of the address each time; in batches that is paid once
//! per batch (see ARCHITECTURE.md for the measurement).

use std::io::{self, IoSlice, IoSliceMut};
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::socket::{MsgFlags, MultiHeaders, SockaddrStorage, recvmmsg, sendmmsg};

/// Datagrams per system call, both ways.
pub(crate) const BATCH: usize = 32;

/// Bytes kept of each datagram read: an IPv4 header with the most options
/// (60 bytes) and a TCP header up to its acknowledgement number and flags
/// fit; the rest of a long segment is not needed and is cut off.
const SNAP: usize = 128;

/// Sends batches of datagrams with `sendmmsg`.
pub(crate) struct Outbox {
    headers: MultiHeaders<SockaddrStorage>,
}

impl Outbox {
    pub(crate) fn new() -> Outbox {
        Outbox {
            headers: MultiHeaders::preallocate(BATCH, None),
        }
    }

    /// Sends each datagram to its address, at most [`BATCH`] of them.
    /// Returns the positions of those a local firewall refused (`EPERM`):
    /// the others all went. A full device queue or send buffer is waited
    /// out, as a blocking send would.
    pub(crate) fn send(
        &mut self,
        socket: &impl AsRawFd,
        datagrams: &[&[u8]],
        to: &[SocketAddr],
    ) -> io::Result<Vec<usize>> {
        debug_assert!(datagrams.len() <= BATCH && datagrams.len() == to.len());
        let slices: Vec<[IoSlice<'_>; 1]> = datagrams.iter().map(|d| [IoSlice::new(d)]).collect();
        let addresses: Vec<Option<SockaddrStorage>> =
            to.iter().map(|address| Some((*address).into())).collect();
        let mut refused = Vec::new();
        let mut next = 0;
        while next < datagrams.len() {
            let outcome = sendmmsg(
                socket.as_raw_fd(),
                &mut self.headers,
                &slices[next..],
                &addresses[next..],
                [],
                MsgFlags::empty(),
            )
            .map(Iterator::count);
            match outcome {
                Ok(0) => std::thread::sleep(Duration::from_micros(200)),
                Ok(sent) => next += sent,
                // The kernel reports the first failure of a batch on its
                // own: everything before it went.
                Err(Errno::EPERM) => {
                    refused.push(next);
                    next += 1;
                }
                Err(Errno::ENOBUFS | Errno::EAGAIN) => {
                    std::thread::sleep(Duration::from_micros(200));
                }
                Err(error) => return Err(error.into()),
            }
        }
        Ok(refused)
    }
}

/// Reads batches of datagrams with `recvmmsg`, each cut to [`SNAP`] bytes.
pub(crate) struct Inbox {
    headers: MultiHeaders<SockaddrStorage>,
    buffers: Vec<[u8; SNAP]>,
}

impl Inbox {
    pub(crate) fn new() -> Inbox {
        Inbox {
            headers: MultiHeaders::preallocate(BATCH, None),
            buffers: vec![[0; SNAP]; BATCH],
        }
    }

    /// Reads every datagram waiting on `socket`, without blocking, and hands
    /// each to `each` with the address it came from.
    pub(crate) fn drain(
        &mut self,
        socket: &impl AsRawFd,
        mut each: impl FnMut(Option<IpAddr>, &[u8]),
    ) {
        loop {
            let received = self.receive(socket);
            for (buffer, (length, from)) in self.buffers.iter().zip(&received) {
                each(*from, &buffer[..(*length).min(SNAP)]);
            }
            if received.len() < BATCH {
                return;
            }
        }
    }

    /// One `recvmmsg`: each datagram's length and source, in the order of
    /// the buffers they were written to. Empty when nothing waits (or on an
    /// error, which the next read reports again if it lasts).
    fn receive(&mut self, socket: &impl AsRawFd) -> Vec<(usize, Option<IpAddr>)> {
        let mut slices: Vec<[IoSliceMut<'_>; 1]> = self
            .buffers
            .iter_mut()
            .map(|buffer| [IoSliceMut::new(buffer)])
            .collect();
        match recvmmsg(
            socket.as_raw_fd(),
            &mut self.headers,
            slices.iter_mut(),
            MsgFlags::MSG_DONTWAIT,
            None,
        ) {
            Ok(messages) => messages
                .map(|message| (message.bytes, message.address.and_then(ip_of)))
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

fn ip_of(address: SockaddrStorage) -> Option<IpAddr> {
    if let Some(v4) = address.as_sockaddr_in() {
        return Some(IpAddr::V4(v4.ip()));
    }
    address.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::UdpSocket;

    /// Real sockets on loopback: a batch goes out in one call and comes
    /// back whole, in order, with its sender, and a long datagram is cut to
    /// the snap length.
    #[test]
    fn a_batch_goes_out_and_comes_back_in_order() {
        let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        let to = receiver.local_addr().unwrap();
        let long = [7u8; 1000];
        let payloads: Vec<Vec<u8>> = (0..BATCH as u8)
            .map(|n| vec![n; 1 + usize::from(n)])
            .chain([long.to_vec()])
            .collect();
        let mut outbox = Outbox::new();
        for chunk in payloads.chunks(BATCH) {
            let datagrams: Vec<&[u8]> = chunk.iter().map(Vec::as_slice).collect();
            let refused = outbox
                .send(&sender, &datagrams, &vec![to; chunk.len()])
                .unwrap();
            assert!(refused.is_empty());
        }
        let mut inbox = Inbox::new();
        let mut seen = Vec::new();
        inbox.drain(&receiver, |from, bytes| seen.push((from, bytes.to_vec())));
        assert_eq!(seen.len(), payloads.len(), "every datagram, over two reads");
        for ((from, bytes), sent) in seen.iter().zip(&payloads) {
            assert_eq!(*from, Some(sender.local_addr().unwrap().ip()));
            assert_eq!(bytes.as_slice(), &sent[..sent.len().min(SNAP)]);
        }
        let mut more = 0;
        inbox.drain(&receiver, |_, _| more += 1);
        assert_eq!(
            more, 0,
            "nothing is read twice, and an empty socket does not block"
        );
    }
}
