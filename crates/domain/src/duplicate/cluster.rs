//! Clusters: the customers that open pairs link together, so three or more records of one
//! customer can be reviewed and merged at once instead of pair by pair.
//!
//! A cluster is a connected component of the pair graph (union-find). Transitive links can
//! chain unrelated records through a weak middle, so each cluster reports its weakest link as
//! well as its strongest, and the caller filters edges by score first.

use std::collections::{BTreeMap, HashMap};

use uuid::Uuid;

/// One pair as an edge of the graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub pair: Uuid,
    pub left: Uuid,
    pub right: Uuid,
    pub score: f64,
}

/// A connected group of customers and the pairs that join them.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Sorted; the first is the cluster's stable key.
    pub members: Vec<Uuid>,
    /// Best first.
    pub pairs: Vec<Edge>,
    pub best: f64,
    pub weakest: f64,
}

fn find(parent: &mut HashMap<Uuid, Uuid>, x: Uuid) -> Uuid {
    let mut root = x;
    while let Some(&p) = parent.get(&root) {
        if p == root {
            break;
        }
        root = p;
    }
    // Path compression: point every node on the way straight at the root.
    let mut node = x;
    while node != root {
        let next = parent.get(&node).copied().unwrap_or(root);
        parent.insert(node, root);
        node = next;
    }
    root
}

/// The clusters of `edges`, strongest first (then by key, so the order is deterministic).
pub fn clusters(edges: &[Edge]) -> Vec<Cluster> {
    let mut parent: HashMap<Uuid, Uuid> = HashMap::new();
    for e in edges {
        parent.entry(e.left).or_insert(e.left);
        parent.entry(e.right).or_insert(e.right);
        let (a, b) = (find(&mut parent, e.left), find(&mut parent, e.right));
        if a != b {
            // The smaller id becomes the root, so roots do not depend on edge order.
            let (root, child) = if a < b { (a, b) } else { (b, a) };
            parent.insert(child, root);
        }
    }
    let mut groups: BTreeMap<Uuid, Cluster> = BTreeMap::new();
    for e in edges {
        let root = find(&mut parent, e.left);
        let cluster = groups.entry(root).or_insert_with(|| Cluster {
            members: Vec::new(),
            pairs: Vec::new(),
            best: f64::MIN,
            weakest: f64::MAX,
        });
        cluster.members.extend([e.left, e.right]);
        cluster.pairs.push(*e);
        cluster.best = cluster.best.max(e.score);
        cluster.weakest = cluster.weakest.min(e.score);
    }
    let mut all: Vec<Cluster> = groups
        .into_values()
        .map(|mut c| {
            c.members.sort_unstable();
            c.members.dedup();
            c.pairs
                .sort_by(|a, b| b.score.total_cmp(&a.score).then(a.pair.cmp(&b.pair)));
            c
        })
        .collect();
    all.sort_by(|a, b| {
        b.best
            .total_cmp(&a.best)
            .then(b.members.len().cmp(&a.members.len()))
            .then(a.members[0].cmp(&b.members[0]))
    });
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(pair: u128, left: u128, right: u128, score: f64) -> Edge {
        Edge {
            pair: Uuid::from_u128(pair),
            left: Uuid::from_u128(left),
            right: Uuid::from_u128(right),
            score,
        }
    }

    #[test]
    fn pairs_sharing_a_customer_form_one_cluster_whatever_their_order() {
        let edges = [
            edge(1, 1, 2, 0.9),
            edge(2, 3, 4, 0.99),
            edge(3, 2, 5, 0.6),
            edge(4, 5, 1, 0.7),
        ];
        let got = clusters(&edges);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].members, [Uuid::from_u128(3), Uuid::from_u128(4)]);
        let big = &got[1];
        assert_eq!(
            big.members,
            [1, 2, 5].map(Uuid::from_u128),
            "a triangle is one cluster"
        );
        assert_eq!((big.best, big.weakest), (0.9, 0.6));
        assert_eq!(big.pairs[0].pair, Uuid::from_u128(1), "best pair first");
        let mut reversed = edges;
        reversed.reverse();
        assert_eq!(clusters(&reversed), got);
    }

    #[test]
    fn no_edges_no_clusters() {
        assert!(clusters(&[]).is_empty());
    }
}
