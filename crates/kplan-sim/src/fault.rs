//! Faults a test (or a rehearsal) can inject into the simulated cluster.

use std::collections::BTreeMap;
use std::time::Duration;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::ApiKey;

/// One fault.
#[derive(Clone, Debug)]
pub enum Fault {
    /// The broker stops: its listeners refuse connections, leaders fail over to the ISR,
    /// copies to or from it stall.
    BrokerDown(i32),
    /// The broker returns; its replicas rejoin the ISR and stalled copies resume.
    BrokerUp(i32),
    /// The controller role moves to this broker, or to the next alive one.
    ControllerFailover(Option<i32>),
    /// The next `times` requests of `api` fail with `error` (top-level where the API has a
    /// top-level error code, otherwise on every item).
    ApiError {
        api: ApiKey,
        error: ResponseError,
        times: u32,
    },
    /// The next `times` responses of `api` are held back for `delay` (real time).
    ApiDelay {
        api: ApiKey,
        delay: Duration,
        times: u32,
    },
    /// The next `times` requests of `api` take effect, but the connection closes before the
    /// response is sent: the client sees a timeout or a disconnect.
    DropResponse { api: ApiKey, times: u32 },
    /// Copies into this broker run `factor` times slower.
    SlowDisk { broker: i32, factor: f64 },
}

/// The per-API faults waiting to fire.
#[derive(Clone, Debug, Default)]
pub struct ApiFaults {
    errors: BTreeMap<i16, (ResponseError, u32)>,
    delays: BTreeMap<i16, (Duration, u32)>,
    drops: BTreeMap<i16, u32>,
}

fn take<T: Copy>(map: &mut BTreeMap<i16, (T, u32)>, api: ApiKey) -> Option<T> {
    let key = api as i16;
    let (value, left) = map.get_mut(&key)?;
    let value = *value;
    *left -= 1;
    if *left == 0 {
        map.remove(&key);
    }
    Some(value)
}

impl ApiFaults {
    pub fn add_error(&mut self, api: ApiKey, error: ResponseError, times: u32) {
        if times > 0 {
            self.errors.insert(api as i16, (error, times));
        }
    }

    pub fn add_delay(&mut self, api: ApiKey, delay: Duration, times: u32) {
        if times > 0 {
            self.delays.insert(api as i16, (delay, times));
        }
    }

    pub fn add_drop(&mut self, api: ApiKey, times: u32) {
        if times > 0 {
            self.drops.insert(api as i16, times);
        }
    }

    pub fn take_error(&mut self, api: ApiKey) -> Option<ResponseError> {
        take(&mut self.errors, api)
    }

    pub fn take_delay(&mut self, api: ApiKey) -> Option<Duration> {
        take(&mut self.delays, api)
    }

    pub fn take_drop(&mut self, api: ApiKey) -> bool {
        let key = api as i16;
        match self.drops.get_mut(&key) {
            Some(left) => {
                *left -= 1;
                if *left == 0 {
                    self.drops.remove(&key);
                }
                true
            }
            None => false,
        }
    }
}
