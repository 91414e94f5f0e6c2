//! What the backend reported about itself, shared by every page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_model::{
    AppError, AppInfo, AppInfoCommand, AppInfoRequest, DatabaseState, DatabaseStatus,
    DatabaseStatusChanged,
};

use crate::ipc;

#[derive(Debug, Clone, Copy)]
pub struct BackendStatus {
    /// The answer to `app_info`, once it came.
    pub info: RwSignal<Option<Result<AppInfo, AppError>>>,
    /// The database's newest known status: from `app_info` or, later, from
    /// `DatabaseStatusChanged` events.
    pub database: RwSignal<Option<DatabaseStatus>>,
}

impl BackendStatus {
    /// Creates the shared status, puts it in context and starts filling it.
    pub fn provide() -> BackendStatus {
        let status = BackendStatus {
            info: RwSignal::new(None),
            database: RwSignal::new(None),
        };
        provide_context(status);
        spawn_local(status.load());
        status
    }

    pub fn from_context() -> BackendStatus {
        expect_context::<BackendStatus>()
    }

    /// Subscribes before asking, so no status change can fall in between.
    async fn load(self) {
        match ipc::listen::<DatabaseStatusChanged>(move |database| {
            self.database.set(Some(database));
        })
        .await
        {
            Ok(subscription) => subscription.keep_forever(),
            Err(error) => self.info.set(Some(Err(error))),
        }
        let answer = ipc::invoke::<AppInfoCommand>(&AppInfoRequest::default()).await;
        if let Ok(info) = &answer {
            self.apply_reported_database(info.database.clone());
        }
        self.info.set(Some(answer));
    }

    /// `app_info`'s database status may be older than an event that already
    /// arrived: opening only ever ends, so a finished state is never replaced
    /// by "opening".
    fn apply_reported_database(self, reported: DatabaseStatus) {
        self.database.update(|current| {
            let finished = current
                .as_ref()
                .is_some_and(|status| status.state != DatabaseState::Opening);
            if !finished {
                *current = Some(reported);
            }
        });
    }
}
