//! A `BufRead` that refuses to hand out more than a set number of bytes
//! between two calls of [`Budget::reset`]: the XML reader pulls a whole
//! element into memory before it returns it, so without this a file with a
//! 2 GB tag or line of text would take 2 GB.

use std::cell::Cell;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

/// The bytes still allowed before the next reset, shared between the
/// reader and the loop that resets it after each element.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    left: Rc<Cell<u64>>,
    limit: u64,
}

impl Budget {
    pub(crate) fn new(limit: u64) -> Budget {
        Budget {
            left: Rc::new(Cell::new(limit)),
            limit,
        }
    }

    /// A new element starts: it may take the whole limit again.
    pub(crate) fn reset(&self) {
        self.left.set(self.limit);
    }

    pub(crate) fn limit(&self) -> u64 {
        self.limit
    }

    pub(crate) fn is_spent(&self) -> bool {
        self.left.get() == 0
    }
}

/// The marker in the error a spent budget causes, to tell it from a real
/// read error.
pub(crate) const SPENT: &str = "portcullis: element budget spent";

/// `Read::read` for a reader whose buffer is the truth: copies what
/// `fill_buf` has, and consumes it. The readers here shape their buffer
/// (a budget, decoded text, normalised line breaks), so reading must go
/// through it.
pub(crate) fn read_buffered<R: BufRead + ?Sized>(
    reader: &mut R,
    out: &mut [u8],
) -> io::Result<usize> {
    let available = reader.fill_buf()?;
    let n = available.len().min(out.len());
    out[..n].copy_from_slice(&available[..n]);
    reader.consume(n);
    Ok(n)
}

pub(crate) struct Bounded<R> {
    inner: R,
    budget: Budget,
}

impl<R> Bounded<R> {
    pub(crate) fn new(inner: R, budget: Budget) -> Bounded<R> {
        Bounded { inner, budget }
    }
}

impl<R: BufRead> Read for Bounded<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        crate::bounded::read_buffered(self, out)
    }
}

impl<R: BufRead> BufRead for Bounded<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let left = self.budget.left.get();
        if left == 0 {
            return Err(io::Error::other(SPENT));
        }
        let available = self.inner.fill_buf()?;
        let allowed = usize::try_from(left).unwrap_or(usize::MAX);
        Ok(&available[..available.len().min(allowed)])
    }

    fn consume(&mut self, amount: usize) {
        let left = self.budget.left.get();
        self.budget
            .left
            .set(left.saturating_sub(u64::try_from(amount).unwrap_or(u64::MAX)));
        self.inner.consume(amount);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_past_the_budget_fails_until_reset() {
        let budget = Budget::new(4);
        let mut reader = Bounded::new(&b"abcdefgh"[..], budget.clone());
        let mut first = [0u8; 8];
        assert_eq!(reader.read(&mut first).unwrap(), 4);
        assert!(budget.is_spent());
        let error = reader.read(&mut first).unwrap_err();
        assert!(error.to_string().contains(SPENT));
        budget.reset();
        assert_eq!(reader.read(&mut first).unwrap(), 4);
        assert_eq!(&first[..4], b"efgh");
    }
}
