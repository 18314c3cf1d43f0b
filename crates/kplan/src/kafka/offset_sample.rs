//! Produce traffic measured without a metrics pipeline: end offsets read twice, a window apart.
//! Messages per second times the average message size (log size ÷ (end − start offsets)) is a
//! partition's bytes in. `kplan snapshot --sample` and `kplan execute` (before it throttles)
//! both measure this way.

use std::time::{Duration, Instant};

use super::admin_types::{OffsetKind, PerPartition};
use super::{KafkaAdmin, KafkaError};
use crate::model::TopicPartition;

/// The three offset reads of one measurement.
#[derive(Clone, Debug)]
pub struct OffsetSample {
    earliest: PerPartition<i64>,
    first: PerPartition<i64>,
    second: PerPartition<i64>,
    /// Seconds between the two end-offset reads.
    pub elapsed: f64,
}

impl OffsetSample {
    /// Reads the start and end offsets of `partitions`, waits `window` (calling `tick` with the
    /// time waited and the window every 200 ms), and reads the end offsets again. Each read is
    /// dated at the middle of its round trip, so request latency (large against a remote
    /// cluster, small against the window) does not bias the rate.
    pub async fn take<A: KafkaAdmin>(
        admin: &A,
        partitions: &[TopicPartition],
        window: Duration,
        tick: &mut dyn FnMut(Duration, Duration),
    ) -> Result<Self, KafkaError> {
        let earliest = admin.list_offsets(partitions, OffsetKind::Earliest).await?;
        let midpoint = |sent: Instant| sent + sent.elapsed() / 2;
        let sent = Instant::now();
        let first = admin.list_offsets(partitions, OffsetKind::Latest).await?;
        let first_at = midpoint(sent);
        let started = Instant::now();
        while started.elapsed() < window {
            tick(started.elapsed(), window);
            tokio::time::sleep((window - started.elapsed()).min(Duration::from_millis(200))).await;
        }
        tick(window, window);
        let sent = Instant::now();
        let second = admin.list_offsets(partitions, OffsetKind::Latest).await?;
        let elapsed = (midpoint(sent) - first_at).as_secs_f64();
        Ok(OffsetSample {
            earliest,
            first,
            second,
            elapsed,
        })
    }

    /// Bytes per second producers wrote to `tp`, whose log holds `size` bytes; `None` when
    /// its offsets could not be read.
    pub fn bytes_in(&self, tp: &TopicPartition, size: u64) -> Option<f64> {
        let (Some(Ok(start)), Some(Ok(a)), Some(Ok(b))) = (
            self.earliest.get(tp),
            self.first.get(tp),
            self.second.get(tp),
        ) else {
            return None;
        };
        let messages = (a - start).max(0) as f64;
        let avg = if messages > 0.0 {
            size as f64 / messages
        } else {
            0.0
        };
        Some(if self.elapsed > 0.0 {
            (b - a).max(0) as f64 / self.elapsed * avg
        } else {
            0.0
        })
    }
}
