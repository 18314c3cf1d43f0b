//! The compiled planning problem: a cluster and a request turned into dense indices.
//!
//! Brokers become `0..n` (`Bx`), partitions `0..m` (`Px`), racks `0..r`. Every stage of the planner
//! works on these indices, which keeps the hot loops free of maps and strings. The problem also
//! fixes the targets: for each balanced resource the mean over the brokers that may receive
//! replicas, and the band around it.
//!
//! Which brokers are balanced: a broker is *eligible* when movable partitions may be placed on it
//! (not decommissioned, and in `--brokers` when given). The final load of the eligible brokers is
//! known before planning: what non-movable partitions keep on them plus everything movable, since
//! movable partitions end entirely on eligible brokers. That total divided by their number is the
//! mean each band is centred on.

use std::collections::BTreeSet;

use super::topic_spread::within_one;
use super::{Band, PlanError, PlanRequest, ResourceBand};
use crate::model::{BrokerId, Cluster, Partition, Resource, Topic, TopicPartition};

/// Broker index.
pub type Bx = usize;

/// One partition in dense form.
#[derive(Clone, Debug)]
pub struct Part {
    pub topic: usize,
    pub partition: i32,
    /// Current replicas as broker indices, preferred leader first.
    pub current: Vec<Bx>,
    /// Current leader (the `leader` field of the snapshot, else the preferred leader).
    pub current_leader: Bx,
    /// `current[0]`, beside the partition rather than behind the list's pointer: the leader
    /// stage asks for it of every replica it looks at.
    pub preferred: Bx,
    pub target_rf: usize,
    pub movable: bool,
    pub size: f64,
    pub bytes_in: f64,
    /// Bytes out of the leader at the target replication factor.
    pub leader_out: f64,
    /// Distinct racks the replicas must span (1 when rack awareness is off).
    pub racks_required: usize,
}

impl Part {
    /// The load one replica of this partition puts on its broker.
    pub fn replica_load(&self, r: Resource) -> f64 {
        Self::replica_load_of(self.size, self.bytes_in, r)
    }

    /// The load one replica of a partition with this size and bytes in puts on its broker.
    pub fn replica_load_of(size: f64, bytes_in: f64, r: Resource) -> f64 {
        match r {
            Resource::Disk => size,
            Resource::BytesIn => bytes_in,
            Resource::Replicas => 1.0,
            Resource::BytesOut | Resource::Leaders => 0.0,
        }
    }

    /// The extra load on the broker that leads this partition.
    pub fn leader_load(&self, r: Resource) -> f64 {
        match r {
            Resource::BytesOut => self.leader_out,
            Resource::Leaders => 1.0,
            _ => 0.0,
        }
    }

    pub fn load(&self, r: Resource, is_leader: bool) -> f64 {
        self.replica_load(r) + if is_leader { self.leader_load(r) } else { 0.0 }
    }
}

#[derive(Clone, Debug)]
pub struct TopicInfo {
    pub name: String,
    pub parts: std::ops::Range<usize>,
    /// At most this many replicas of the topic per eligible broker, for an even spread.
    pub replica_cap: u32,
    /// At most this many leaders of the topic per eligible broker.
    pub leader_cap: u32,
    /// At least this many replicas and leaders per eligible broker (0 unless `spread`).
    pub replica_floor: u32,
    pub leader_floor: u32,
    pub movable: bool,
    /// Matches `--spread-topics`: replicas and leaders end within one of their even share
    /// (between floor and cap, see `topic_spread`), priced far above the default spread.
    pub spread: bool,
}

#[derive(Clone, Debug)]
pub struct Problem {
    pub broker_ids: Vec<BrokerId>,
    pub rack_of: Vec<Option<usize>>,
    pub rack_names: Vec<String>,
    pub eligible: Vec<bool>,
    pub parts: Vec<Part>,
    pub topics: Vec<TopicInfo>,
    pub bands: [Band; 5],
    pub rack_aware: bool,
    /// Partitions whose current rack spread is below the requirement but that may not move.
    pub unrepairable_rack: Vec<TopicPartition>,
    /// Per partition, its preferred leader when another replica leads it now, else
    /// [`Problem::NO_BROKER`]. Handing leadership back there without changing the replica set
    /// leaves nothing a reassignment can list (see `leaders::unplannable`); the leader stage asks
    /// this of every candidate, and a flat array answers where each `Part` is a cache miss away.
    pub lapsed_preferred: Vec<u32>,
}

impl Problem {
    pub fn new(cluster: &Cluster, request: &PlanRequest) -> Result<Problem, PlanError> {
        validate_request(cluster, request)?;
        let broker_ids: Vec<BrokerId> = cluster.brokers().iter().map(|b| b.id).collect();
        let RackLayout {
            names: rack_names,
            of: rack_of,
            aware: rack_aware,
        } = racks(cluster, request)?;
        let eligible: Vec<bool> = broker_ids.iter().map(|&b| request.may_host(b)).collect();
        if !eligible.iter().any(|e| *e) {
            return Err(PlanError::NoEligibleBrokers);
        }
        // Racks of brokers that remain in the cluster, and of those that may receive.
        let live_racks: BTreeSet<usize> = (0..broker_ids.len())
            .filter(|&b| !request.decommission.contains(&broker_ids[b]))
            .filter_map(|b| rack_of[b])
            .collect();
        let eligible_racks: BTreeSet<usize> = (0..broker_ids.len())
            .filter(|&b| eligible[b])
            .filter_map(|b| rack_of[b])
            .collect();
        let mut c = Compiler {
            request,
            broker_ids: &broker_ids,
            rack_of: &rack_of,
            rack_aware,
            n_eligible: eligible.iter().filter(|e| **e).count(),
            live_racks: live_racks.len(),
            eligible_racks: eligible_racks.len(),
            parts: Vec::with_capacity(cluster.partition_count()),
            topics: Vec::with_capacity(cluster.topics().len()),
            unrepairable_rack: Vec::new(),
        };
        for (ti, topic) in cluster.topics().iter().enumerate() {
            c.topic(ti, topic)?;
        }
        let Compiler {
            parts,
            topics,
            unrepairable_rack,
            ..
        } = c;
        let bands = compute_bands(&parts, &eligible, request.tolerance);
        let lapsed_preferred = parts
            .iter()
            .map(|p| {
                if p.current_leader == p.preferred {
                    Self::NO_BROKER
                } else {
                    u32::try_from(p.preferred).expect("fewer than 2^32 brokers")
                }
            })
            .collect();
        Ok(Problem {
            broker_ids,
            rack_of,
            rack_names,
            eligible,
            parts,
            topics,
            bands,
            rack_aware,
            unrepairable_rack,
            lapsed_preferred,
        })
    }

    /// No broker, in a per-partition broker array.
    pub const NO_BROKER: u32 = u32::MAX;

    pub fn broker_count(&self) -> usize {
        self.broker_ids.len()
    }

    pub fn eligible_brokers(&self) -> impl Iterator<Item = Bx> + '_ {
        (0..self.broker_ids.len()).filter(|&b| self.eligible[b])
    }

    /// The mean partition size (at least one byte): the unit in which both the heuristics and
    /// the MIP price bytes moved, so their costs agree.
    pub fn avg_partition_size(&self) -> f64 {
        (self.parts.iter().map(|p| p.size).sum::<f64>() / self.parts.len().max(1) as f64).max(1.0)
    }

    pub fn band(&self, r: Resource) -> &Band {
        &self.bands[r.index()]
    }

    /// The eligible brokers by id, as a plan's report lists them.
    pub fn eligible_broker_ids(&self) -> Vec<BrokerId> {
        self.eligible_brokers()
            .map(|b| self.broker_ids[b])
            .collect()
    }

    /// Every resource's band, as a plan's report lists them.
    pub fn resource_bands(&self) -> Vec<ResourceBand> {
        Resource::ALL
            .iter()
            .map(|&resource| ResourceBand {
                resource,
                band: *self.band(resource),
            })
            .collect()
    }

    pub fn topic_partition(&self, p: usize) -> TopicPartition {
        TopicPartition::new(
            &self.topics[self.parts[p].topic].name,
            self.parts[p].partition,
        )
    }

    /// True when `replicas` satisfies the hard constraints for movable partition `p`: the target
    /// replication factor, distinct eligible brokers, and the rack spread.
    pub fn is_valid_placement(&self, p: usize, replicas: &[Bx]) -> bool {
        let part = &self.parts[p];
        replicas.len() == part.target_rf
            && replicas
                .iter()
                .enumerate()
                .all(|(i, b)| !replicas[..i].contains(b))
            && replicas.iter().all(|&b| self.eligible[b])
            && self.rack_spread(replicas) >= part.racks_required
    }

    /// Number of distinct racks among `replicas` (each broker counts as its own rack when rack
    /// awareness is off, which makes the requirement of 1 trivially met).
    pub fn rack_spread(&self, replicas: &[Bx]) -> usize {
        if !self.rack_aware {
            return replicas.len().min(1);
        }
        let mut seen = [usize::MAX; 16];
        let mut n = 0;
        let mut overflow: Vec<usize> = Vec::new();
        for &b in replicas {
            let r = self.rack_of[b].expect("rack-aware problems have a rack per broker");
            if seen[..n.min(16)].contains(&r) || overflow.contains(&r) {
                continue;
            }
            if n < 16 {
                seen[n] = r;
            } else {
                overflow.push(r);
            }
            n += 1;
        }
        n
    }
}

/// Request errors that do not depend on the partitions.
fn validate_request(cluster: &Cluster, request: &PlanRequest) -> Result<(), PlanError> {
    for &b in request
        .decommission
        .iter()
        .chain(request.allowed_brokers.iter().flatten())
    {
        if cluster.broker(b).is_none() {
            return Err(PlanError::UnknownBroker(b));
        }
    }
    if request.leaders_only {
        if !request.decommission.is_empty() {
            return Err(PlanError::LeadersOnlyConflict("decommission brokers"));
        }
        if !request.replication_factors.is_empty() {
            return Err(PlanError::LeadersOnlyConflict("change replication factors"));
        }
        if request.allowed_brokers.is_some() {
            return Err(PlanError::LeadersOnlyConflict(
                "restrict placement to --brokers",
            ));
        }
    }
    for (re, rf) in &request.replication_factors {
        if *rf == 0 {
            return Err(PlanError::ZeroReplicationFactor(re.as_str().to_owned()));
        }
    }
    Ok(())
}

/// Rack names, each broker's rack index, and whether the plan is rack-aware.
struct RackLayout {
    names: Vec<String>,
    of: Vec<Option<usize>>,
    aware: bool,
}

/// The rack layout; a rack-aware plan needs a rack on every broker.
fn racks(cluster: &Cluster, request: &PlanRequest) -> Result<RackLayout, PlanError> {
    let rack_names: Vec<String> = cluster.racks().into_iter().map(str::to_owned).collect();
    let rack_of: Vec<Option<usize>> = cluster
        .brokers()
        .iter()
        .map(|b| {
            b.rack.as_deref().map(|r| {
                rack_names
                    .binary_search_by(|n| n.as_str().cmp(r))
                    .expect("rack listed")
            })
        })
        .collect();
    let rack_aware = request.rack_aware && !rack_names.is_empty();
    if rack_aware && rack_of.iter().any(Option::is_none) {
        let missing: Vec<String> = cluster
            .brokers()
            .iter()
            .zip(&rack_of)
            .filter(|(_, r)| r.is_none())
            .map(|(b, _)| b.id.to_string())
            .collect();
        return Err(PlanError::PartialRacks(missing.join(",")));
    }
    Ok(RackLayout {
        names: rack_names,
        of: rack_of,
        aware: rack_aware,
    })
}

/// Turns topics into dense parts, checking that each movable partition can be placed at all.
struct Compiler<'a> {
    request: &'a PlanRequest,
    broker_ids: &'a [BrokerId],
    rack_of: &'a [Option<usize>],
    rack_aware: bool,
    n_eligible: usize,
    live_racks: usize,
    eligible_racks: usize,
    parts: Vec<Part>,
    topics: Vec<TopicInfo>,
    unrepairable_rack: Vec<TopicPartition>,
}

impl Compiler<'_> {
    fn topic(&mut self, ti: usize, topic: &Topic) -> Result<(), PlanError> {
        let movable = self.request.is_movable_topic(&topic.name);
        let start = self.parts.len();
        for p in &topic.partitions {
            let part = self.part(ti, topic, p, movable)?;
            self.parts.push(part);
        }
        let n = self.parts.len() - start;
        let replicas: usize = self.parts[start..].iter().map(|p| p.target_rf).sum();
        let spread = self.request.is_spread_topic(&topic.name);
        let (replica_floor, replica_cap) = if spread {
            within_one(replicas as u32, self.n_eligible)
        } else {
            (0, replicas.div_ceil(self.n_eligible) as u32)
        };
        let (leader_floor, leader_cap) = if spread {
            within_one(n as u32, self.n_eligible)
        } else {
            (0, n.div_ceil(self.n_eligible) as u32)
        };
        self.topics.push(TopicInfo {
            name: topic.name.clone(),
            parts: start..self.parts.len(),
            replica_cap,
            leader_cap,
            replica_floor,
            leader_floor,
            movable,
            spread,
        });
        Ok(())
    }

    fn part(
        &mut self,
        ti: usize,
        topic: &Topic,
        p: &Partition,
        movable: bool,
    ) -> Result<Part, PlanError> {
        let index = |id: BrokerId| {
            self.broker_ids
                .binary_search(&id)
                .expect("validated broker")
        };
        let current: Vec<Bx> = p.replicas.brokers().iter().map(|&b| index(b)).collect();
        let target_rf = if movable {
            self.request
                .target_replication_factor(&topic.name, current.len())
        } else {
            current.len()
        };
        let racks_required = if self.rack_aware {
            target_rf.min(self.live_racks).max(1)
        } else {
            1
        };
        let leaders_only = self.request.leaders_only;
        if movable && !leaders_only {
            self.check_placeable(&topic.name, target_rf, racks_required)?;
        }
        let spread: BTreeSet<usize> = current.iter().filter_map(|&b| self.rack_of[b]).collect();
        if self.rack_aware && spread.len() < racks_required && (!movable || leaders_only) {
            self.unrepairable_rack
                .push(TopicPartition::new(&topic.name, p.partition));
        }
        Ok(Part {
            topic: ti,
            partition: p.partition,
            current_leader: p.leader.map_or(current[0], index),
            preferred: current[0],
            current,
            target_rf,
            movable,
            size: p.size_bytes as f64,
            bytes_in: p.bytes_in_per_sec,
            leader_out: p.leader_bytes_out(target_rf),
            racks_required,
        })
    }

    /// Enough eligible brokers and racks for the partition's target replication factor.
    fn check_placeable(&self, topic: &str, rf: usize, racks: usize) -> Result<(), PlanError> {
        if rf > self.n_eligible {
            let decommissioned = self.request.decommission.len();
            let detail = if decommissioned > 0 {
                format!(
                    " (decommissioning {decommissioned} of {} brokers leaves {})",
                    self.broker_ids.len(),
                    self.n_eligible
                )
            } else {
                String::new()
            };
            return Err(PlanError::TooFewBrokers {
                topic: topic.to_owned(),
                rf,
                eligible: self.n_eligible,
                detail,
            });
        }
        if self.rack_aware && self.eligible_racks < racks {
            return Err(PlanError::TooFewRacks {
                topic: topic.to_owned(),
                rf,
                allowed: self.eligible_racks,
                racks: self.live_racks,
            });
        }
        Ok(())
    }
}

/// Bands from the final load of the eligible brokers (see the module docs).
fn compute_bands(parts: &[Part], eligible: &[bool], tolerance: f64) -> [Band; 5] {
    let n = eligible.iter().filter(|e| **e).count() as f64;
    let mut total = [0.0f64; 5];
    for part in parts {
        for r in Resource::ALL {
            if part.movable {
                total[r.index()] +=
                    part.replica_load(r) * part.target_rf as f64 + part.leader_load(r);
            } else {
                // A partition that may not move keeps its leader too.
                for &b in &part.current {
                    if eligible[b] {
                        total[r.index()] += part.load(r, b == part.current_leader);
                    }
                }
            }
        }
    }
    Resource::ALL.map(|r| Band::new(total[r.index()] / n, tolerance, r.is_count()))
}
