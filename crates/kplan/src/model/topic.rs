use super::Partition;

/// A topic and its partitions, sorted by partition number.
#[derive(Clone, Debug, PartialEq)]
pub struct Topic {
    pub name: String,
    pub partitions: Vec<Partition>,
}

impl Topic {
    pub fn new(name: impl Into<String>, partitions: Vec<Partition>) -> Self {
        Topic {
            name: name.into(),
            partitions,
        }
    }
}
