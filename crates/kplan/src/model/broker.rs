use super::BrokerId;

/// A broker as the planner sees it: its id and, when the cluster is rack-aware, its rack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broker {
    pub id: BrokerId,
    pub rack: Option<String>,
}

impl Broker {
    pub fn new(id: impl Into<BrokerId>, rack: Option<&str>) -> Self {
        Broker {
            id: id.into(),
            rack: rack.map(str::to_owned),
        }
    }
}
