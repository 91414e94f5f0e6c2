//! The one door to the backend.
//!
//! Components call [`invoke`] with a `portcullis_model::Command` type and
//! [`listen`] with a `portcullis_model::Event` type; no command or event name
//! is spelled anywhere else in the UI.

use portcullis_model::{AppError, Command, Event};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(command: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
    async fn tauri_listen(
        event: &str,
        handler: &Closure<dyn FnMut(JsValue)>,
    ) -> Result<JsValue, JsValue>;
}

/// Invokes command `C` with `request` and decodes its response.
pub async fn invoke<C: Command>(request: &C::Request) -> Result<C::Response, AppError> {
    let args = to_js(&SingleArgument {
        name: C::ARGUMENT,
        value: request,
    })?;
    let response = tauri_invoke(C::NAME, args).await.map_err(backend_error)?;
    serde_wasm_bindgen::from_value(response)
        .map_err(|error| AppError::internal(format!("unexpected answer to {}: {error}", C::NAME)))
}

/// A live subscription to an event; dropping it unsubscribes.
pub struct Subscription {
    unlisten: Option<js_sys::Function>,
    _handler: Closure<dyn FnMut(JsValue)>,
}

impl Subscription {
    /// Keeps the subscription for the rest of the app's life.
    pub fn keep_forever(self) {
        std::mem::forget(self);
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(unlisten) = &self.unlisten {
            // Nothing useful to do if unlistening fails: the page is going away.
            let _ = unlisten.call0(&JsValue::NULL);
        }
    }
}

/// Calls `on_event` with every payload of event `E` from now on.
pub async fn listen<E: Event>(
    mut on_event: impl FnMut(E::Payload) + 'static,
) -> Result<Subscription, AppError> {
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let payload = js_sys::Reflect::get(&event, &JsValue::from_str("payload"))
            .ok()
            .and_then(|payload| serde_wasm_bindgen::from_value(payload).ok());
        match payload {
            Some(payload) => on_event(payload),
            None => web_sys_log(&format!("ignored a malformed {} event", E::NAME)),
        }
    });
    let unlisten = tauri_listen(E::NAME, &handler)
        .await
        .map_err(backend_error)?;
    Ok(Subscription {
        unlisten: unlisten.dyn_into::<js_sys::Function>().ok(),
        _handler: handler,
    })
}

/// `{ "<name>": value }`: the shape Tauri maps onto a handler's parameters.
struct SingleArgument<'a, T> {
    name: &'static str,
    value: &'a T,
}

impl<T: Serialize> Serialize for SingleArgument<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.name, self.value)?;
        map.end()
    }
}

/// Plain JS objects, never `Map`s: Tauri serialises arguments as JSON.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, AppError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|error| AppError::internal(format!("cannot encode the request: {error}")))
}

/// The backend rejects with an `AppError` from our handlers, or with a bare
/// string from Tauri itself (unknown command, denied permission).
fn backend_error(error: JsValue) -> AppError {
    if let Ok(error) = serde_wasm_bindgen::from_value::<AppError>(error.clone()) {
        return error;
    }
    AppError::internal(
        error
            .as_string()
            .unwrap_or_else(|| "the backend failed without saying why".to_owned()),
    )
}

fn web_sys_log(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}
