//! Handing a reader's items on: the one place that remembers the receiver
//! asked to stop (the import was cancelled), so every reader stops alike.

use crate::Item;

/// Hands items on until the receiver asks to stop.
pub(crate) struct Emitter<'e> {
    emit: &'e mut dyn FnMut(Item) -> bool,
    stopped: bool,
}

impl<'e> Emitter<'e> {
    pub(crate) fn new(emit: &'e mut dyn FnMut(Item) -> bool) -> Emitter<'e> {
        Emitter {
            emit,
            stopped: false,
        }
    }

    pub(crate) fn send(&mut self, item: Item) {
        if !self.stopped && !(self.emit)(item) {
            self.stopped = true;
        }
    }

    pub(crate) fn stopped(&self) -> bool {
        self.stopped
    }
}
