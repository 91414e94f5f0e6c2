//! Monitoring's news, shared by every page: the backend announces each
//! notification it shows on the desktop, and the pages that list alerts
//! reload when one arrives.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_model::monitor::{Notification, NotificationRaised};

use crate::ipc;

#[derive(Debug, Clone, Copy)]
pub struct MonitoringNews {
    /// How many notifications arrived since the window opened.
    pub raised: RwSignal<u32>,
    /// The newest of them.
    pub latest: RwSignal<Option<Notification>>,
}

impl MonitoringNews {
    /// Creates the shared news, puts it in context and subscribes.
    pub fn provide() -> MonitoringNews {
        let news = MonitoringNews {
            raised: RwSignal::new(0),
            latest: RwSignal::new(None),
        };
        provide_context(news);
        spawn_local(async move {
            let subscribed = ipc::listen::<NotificationRaised>(move |notification| {
                news.latest.set(Some(notification));
                news.raised.update(|count| *count += 1);
            })
            .await;
            if let Ok(subscription) = subscribed {
                subscription.keep_forever();
            }
        });
        news
    }

    pub fn from_context() -> MonitoringNews {
        expect_context::<MonitoringNews>()
    }
}
