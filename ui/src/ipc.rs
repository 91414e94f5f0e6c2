//! The one door to the backend.
//!
//! Components call [`invoke`] with a `portcullis_model::Command` type,
//! [`stream`] with a `portcullis_model::commands::StreamCommand` type and
//! [`listen`] with a `portcullis_model::Event` type; no command or event name
//! is spelled anywhere else in the UI.

use portcullis_model::commands::StreamCommand;
use portcullis_model::{AppError, Command, Event};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(command: &str, args: JsValue) -> Result<JsValue, JsValue>;

    /// Tauri's channel: a command sends updates down it; `JSON.stringify`
    /// turns it into the reference the handler's `Channel` parameter reads.
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = Channel)]
    type TauriChannel;

    #[wasm_bindgen(constructor, js_namespace = ["window", "__TAURI__", "core"], js_class = "Channel")]
    fn new() -> TauriChannel;

    #[wasm_bindgen(method, setter = onmessage)]
    fn set_onmessage(this: &TauriChannel, handler: &js_sys::Function);

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

/// The updates of a streaming command, delivered while this lives.
/// Dropping it stops the deliveries to this window, not the work: a scan
/// goes on and can be followed again.
pub struct Stream {
    _channel: TauriChannel,
    _handler: Closure<dyn FnMut(JsValue)>,
}

/// Invokes streaming command `C` with `request`, calls `on_update` with
/// each update it sends, and returns its response (a scan's run id) with
/// the stream to keep for as long as the updates matter.
pub async fn stream<C: StreamCommand>(
    request: &C::Request,
    mut on_update: impl FnMut(C::Update) + 'static,
) -> Result<(C::Response, Stream), AppError> {
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |message: JsValue| {
        match serde_wasm_bindgen::from_value(message) {
            Ok(update) => on_update(update),
            Err(_) => web_sys_log(&format!("ignored a malformed {} update", C::NAME)),
        }
    });
    let channel = TauriChannel::new();
    channel.set_onmessage(handler.as_ref().unchecked_ref());
    let args = js_sys::Object::new();
    set_field(&args, C::ARGUMENT, &to_js(request)?)?;
    set_field(&args, C::CHANNEL, &channel)?;
    let response = tauri_invoke(C::NAME, args.into())
        .await
        .map_err(backend_error)?;
    let response = serde_wasm_bindgen::from_value(response).map_err(|error| {
        AppError::internal(format!("unexpected answer to {}: {error}", C::NAME))
    })?;
    Ok((
        response,
        Stream {
            _channel: channel,
            _handler: handler,
        },
    ))
}

fn set_field(object: &js_sys::Object, name: &str, value: &JsValue) -> Result<(), AppError> {
    js_sys::Reflect::set(object, &JsValue::from_str(name), value)
        .map(drop)
        .map_err(|_| AppError::internal("cannot build the request"))
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
