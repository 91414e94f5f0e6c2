//! The typed IPC contract between the UI and the desktop shell.
//!
//! Every backend command is described once, here, by a type implementing
//! [`Command`]: its wire name, its request and its response. The UI invokes
//! commands only through that trait and the shell registers handlers whose
//! signatures use the same types, so a renamed field or command breaks the
//! build rather than a user's click. Events pushed from the backend follow the
//! same pattern through [`Event`].

use serde::{Serialize, de::DeserializeOwned};

/// A command the UI can invoke on the backend.
///
/// The request travels as the command's single argument, named
/// [`Command::ARGUMENT`], so every handler has the same shape.
pub trait Command {
    /// The name the handler is registered under in the shell.
    const NAME: &'static str;
    /// The name of the handler's single parameter.
    const ARGUMENT: &'static str = "request";
    type Request: Serialize + DeserializeOwned;
    type Response: Serialize + DeserializeOwned;
}

/// An event the backend emits and the UI may subscribe to.
pub trait Event {
    /// The name the event is emitted under.
    const NAME: &'static str;
    type Payload: Serialize + DeserializeOwned + Clone;
}
