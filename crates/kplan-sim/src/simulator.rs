//! The handle a test or `kplan sandbox` holds: start, inject faults, inspect, stop.

use std::collections::BTreeMap;
use std::net::TcpListener as StdListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::cluster_state::ClusterState;
use super::fault::{ApiFaults, Fault};
use super::server::{accept_loop, BrokerPorts, ListenerKind, Shared};
use super::sim_clock::SimClock;
use super::spec::{SimSpec, SpecError};

/// How the simulator runs (as opposed to what the cluster looks like).
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// Simulated seconds per real second; 0 = time moves only through [`Simulator::advance`].
    pub speed: f64,
    /// First port: broker i listens on base + i (SASL listeners follow the plaintext ones);
    /// 0 = free ports chosen by the OS.
    pub base_port: u16,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            speed: 0.0,
            base_port: 0,
        }
    }
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error("cannot listen on 127.0.0.1:{port} for broker {broker}: {source}")]
    Bind {
        broker: i32,
        port: u16,
        source: std::io::Error,
    },
    #[error("cannot start the simulator's runtime: {0}")]
    Runtime(std::io::Error),
}

/// A running simulated Kafka cluster. Dropping it stops every listener.
pub struct Simulator {
    shared: Arc<Shared>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("bootstrap", &self.bootstrap())
            .finish()
    }
}

fn bind(broker: i32, port: u16) -> Result<StdListener, SimError> {
    let l = StdListener::bind(("127.0.0.1", port)).map_err(|source| SimError::Bind {
        broker,
        port,
        source,
    })?;
    l.set_nonblocking(true).map_err(|source| SimError::Bind {
        broker,
        port,
        source,
    })?;
    Ok(l)
}

impl Simulator {
    /// Starts the brokers on 127.0.0.1 and returns once every listener accepts connections.
    pub fn start(spec: &SimSpec, options: SimOptions) -> Result<Self, SimError> {
        let start_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let state = ClusterState::new(spec, start_ms)?;
        let n = spec.brokers.len() as u16;
        let mut listeners = Vec::new();
        let mut ports = BTreeMap::new();
        for (i, b) in spec.brokers.iter().enumerate() {
            let port_for = |offset: u16| {
                if options.base_port == 0 {
                    0
                } else {
                    options.base_port + offset
                }
            };
            let plain = bind(b.id, port_for(i as u16))?;
            let plain_port = plain.local_addr().map_err(SimError::Runtime)?.port();
            listeners.push((b.id, ListenerKind::Plaintext, plain));
            let sasl_port = if spec.sasl.is_some() {
                let l = bind(b.id, port_for(n + i as u16))?;
                let p = l.local_addr().map_err(SimError::Runtime)?.port();
                listeners.push((b.id, ListenerKind::SaslPlaintext, l));
                Some(p)
            } else {
                None
            };
            ports.insert(
                b.id,
                BrokerPorts {
                    plaintext: plain_port,
                    sasl: sasl_port,
                },
            );
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            faults: Mutex::new(ApiFaults::default()),
            clock: SimClock::new(options.speed),
            ports,
            sasl: spec.sasl.clone(),
            host: "127.0.0.1".to_owned(),
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("kplan-sim")
            .enable_all()
            .build()
            .map_err(SimError::Runtime)?;
        for (broker, kind, listener) in listeners {
            let shared = shared.clone();
            runtime.spawn(async move {
                match tokio::net::TcpListener::from_std(listener) {
                    Ok(l) => accept_loop(l, broker, kind, shared).await,
                    Err(e) => eprintln!("kplan sandbox: broker {broker} cannot listen: {e}"),
                }
            });
        }
        Ok(Simulator {
            shared,
            runtime: Some(runtime),
        })
    }

    fn list(&self, pick: impl Fn(&BrokerPorts) -> Option<u16>) -> String {
        self.shared
            .ports
            .values()
            .filter_map(pick)
            .map(|p| format!("{}:{p}", self.shared.host))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// `host:port,...` of the plaintext listeners.
    pub fn bootstrap(&self) -> String {
        self.list(|p| Some(p.plaintext))
    }

    /// `host:port,...` of the SASL_PLAINTEXT listeners, when configured.
    pub fn sasl_bootstrap(&self) -> Option<String> {
        let s = self.list(|p| p.sasl);
        (!s.is_empty()).then_some(s)
    }

    /// The plaintext address of one broker.
    pub fn broker_address(&self, broker: i32) -> Option<String> {
        self.shared
            .ports
            .get(&broker)
            .map(|p| format!("{}:{}", self.shared.host, p.plaintext))
    }

    pub fn inject(&self, fault: Fault) {
        match fault {
            Fault::BrokerDown(b) => self.shared.state().broker_down(b),
            Fault::BrokerUp(b) => self.shared.state().broker_up(b),
            Fault::ControllerFailover(to) => self.shared.state().fail_over_controller(to),
            Fault::SlowDisk { broker, factor } => {
                if let Some(b) = self.shared.state().brokers.get_mut(&broker) {
                    b.slowdown = factor.max(1e-6);
                }
            }
            Fault::ApiError { api, error, times } => self.faults().add_error(api, error, times),
            Fault::ApiDelay { api, delay, times } => self.faults().add_delay(api, delay, times),
            Fault::DropResponse { api, times } => self.faults().add_drop(api, times),
        }
    }

    fn faults(&self) -> std::sync::MutexGuard<'_, ApiFaults> {
        self.shared.faults.lock().expect("faults lock")
    }

    /// Moves simulated time forward (copies progress, moves complete).
    pub fn advance(&self, d: Duration) {
        self.shared.clock.advance(d);
        drop(self.shared.state());
    }

    /// Reads the state at the current simulated time.
    pub fn with_state<R>(&self, f: impl FnOnce(&ClusterState) -> R) -> R {
        f(&self.shared.state())
    }

    /// Changes the state directly (test setup: pre-existing throttles, configs).
    pub fn with_state_mut<R>(&self, f: impl FnOnce(&mut ClusterState) -> R) -> R {
        f(&mut self.shared.state())
    }

    /// Simulated seconds since start.
    pub fn now(&self) -> f64 {
        self.shared.clock.now()
    }

    /// The simulated clock as a function a client can keep (e.g. to measure progress on
    /// simulated time): simulated seconds since start.
    pub fn clock_fn(&self) -> impl Fn() -> f64 + Send + Sync + 'static {
        let shared = Arc::clone(&self.shared);
        move || shared.clock.now()
    }

    pub fn speed(&self) -> f64 {
        self.shared.clock.speed()
    }

    /// Stops every listener and connection.
    pub fn stop(mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}
