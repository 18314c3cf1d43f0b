use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::model::Resource;

/// Something the planner tries to achieve, softer than a hard constraint.
///
/// Goals are weighed, not ranked strictly: the weights multiply each goal's normalised violation in
/// one objective. Resource goals are scaled to dominate topic spread, and topic spread to dominate
/// data movement, which gives the documented priority: bands, then spread, then fewest bytes moved,
/// then fewest leader changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Goal {
    /// Keep the resource of every broker within the tolerance band around the mean.
    Balance(Resource),
    /// Spread each topic's replicas and leaders evenly over the eligible brokers.
    TopicSpread,
    /// Keep every log directory of a broker within the band around its broker's mean usage
    /// (JBOD; planned after the brokers, on when the snapshot knows directories, off with
    /// `--no-log-dirs`; not one of the weighted goals of `--goals`).
    LogDirs,
}

impl Goal {
    pub const ALL: [Goal; 6] = [
        Goal::Balance(Resource::Disk),
        Goal::Balance(Resource::BytesIn),
        Goal::Balance(Resource::BytesOut),
        Goal::Balance(Resource::Replicas),
        Goal::Balance(Resource::Leaders),
        Goal::TopicSpread,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Goal::Balance(r) => r.name(),
            Goal::TopicSpread => "topic-spread",
            Goal::LogDirs => "log-dirs",
        }
    }
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Goal {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Goal::ALL
            .into_iter()
            .find(|g| g.name() == s.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = Goal::ALL.iter().map(|g| g.name()).collect();
                format!("unknown goal '{}' (known: {})", s.trim(), names.join(", "))
            })
    }
}

/// The weight of each goal; zero switches a goal off (it is still reported).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct GoalWeights {
    resource: [f64; 5],
    topic_spread: f64,
}

impl Default for GoalWeights {
    fn default() -> Self {
        GoalWeights {
            resource: [1.0; 5],
            topic_spread: 1.0,
        }
    }
}

impl GoalWeights {
    /// Only the named goals, each with its weight.
    pub fn only(goals: &[(Goal, f64)]) -> Self {
        let mut w = GoalWeights {
            resource: [0.0; 5],
            topic_spread: 0.0,
        };
        for &(goal, weight) in goals {
            w.set(goal, weight);
        }
        w
    }

    pub fn set(&mut self, goal: Goal, weight: f64) {
        match goal {
            Goal::Balance(r) => self.resource[r.index()] = weight,
            Goal::TopicSpread => self.topic_spread = weight,
            Goal::LogDirs => {}
        }
    }

    pub fn get(&self, goal: Goal) -> f64 {
        match goal {
            Goal::Balance(r) => self.resource[r.index()],
            Goal::TopicSpread => self.topic_spread,
            Goal::LogDirs => 1.0,
        }
    }

    pub fn resource(&self, r: Resource) -> f64 {
        self.resource[r.index()]
    }

    pub fn topic_spread(&self) -> f64 {
        self.topic_spread
    }

    /// Parses `disk,bytes-in=2,leaders`: a goal list, each optionally weighted.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut goals = Vec::new();
        for item in spec.split(',').filter(|s| !s.trim().is_empty()) {
            let (name, weight) = match item.split_once('=') {
                Some((n, w)) => {
                    let weight: f64 = w
                        .trim()
                        .parse()
                        .map_err(|_| format!("goal weight '{}' is not a number", w.trim()))?;
                    if !weight.is_finite() || weight < 0.0 {
                        return Err(format!("goal weight {weight} must be >= 0"));
                    }
                    (n, weight)
                }
                None => (item, 1.0),
            };
            let goal: Goal = name.parse()?;
            if goals.iter().any(|(g, _)| *g == goal) {
                return Err(format!("goal '{goal}' is listed twice"));
            }
            goals.push((goal, weight));
        }
        if goals.is_empty() {
            return Err("the goal list is empty".into());
        }
        Ok(GoalWeights::only(&goals))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_weighted_goal_lists() {
        let w = GoalWeights::parse("disk=2, leaders").unwrap();
        assert_eq!(w.resource(Resource::Disk), 2.0);
        assert_eq!(w.resource(Resource::Leaders), 1.0);
        assert_eq!(w.resource(Resource::BytesIn), 0.0);
        assert_eq!(w.topic_spread(), 0.0);
    }

    #[test]
    fn rejects_unknown_and_repeated_goals() {
        assert!(GoalWeights::parse("cpu")
            .unwrap_err()
            .contains("unknown goal 'cpu'"));
        assert!(GoalWeights::parse("disk,disk")
            .unwrap_err()
            .contains("listed twice"));
        assert!(GoalWeights::parse("disk=-1").is_err());
    }
}
