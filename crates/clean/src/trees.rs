//! Small gradient-boosted decision trees for binary classification (log loss, second-order
//! leaf values, histogram splits over at most 32 cut points per feature). Deterministic: no
//! sampling. Used by the scraped-text line model.

/// One node of a tree; a leaf when `feature` is negative. Children come after their parent
/// (checked on load), so walking a tree always ends.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TreeNode {
    #[serde(rename = "f")]
    pub feature: i32,
    #[serde(rename = "t")]
    pub threshold: f64,
    #[serde(rename = "l")]
    pub left: u32,
    #[serde(rename = "r")]
    pub right: u32,
    #[serde(rename = "v")]
    pub value: f64,
}

impl TreeNode {
    /// A leaf of value 0 (the value and any split are filled in later).
    const LEAF: TreeNode = TreeNode {
        feature: -1,
        threshold: 0.0,
        left: 0,
        right: 0,
        value: 0.0,
    };
}

/// A boosted ensemble: margin = base + sum of the trees' leaf values.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Forest {
    pub base: f64,
    pub trees: Vec<Vec<TreeNode>>,
    /// The evaluation layout, built on the first [`Forest::probability`] (so change `trees`
    /// only before evaluating, or on a fresh clone of an unevaluated forest).
    #[serde(skip)]
    flat: FlatCache,
}

/// A forest laid out for branch-free evaluation: every tree is walked a fixed number of steps,
/// a leaf leading to itself, so no step depends on a mispredicted branch and the walks of
/// consecutive trees overlap.
#[derive(Debug, Clone)]
struct Flat {
    /// Per node: (feature, threshold, [left, right]) with absolute node indices.
    nodes: Vec<FlatNode>,
    /// Leaf value per node (unused for inner nodes).
    values: Vec<f64>,
    /// Root node of every non-empty tree, in tree order.
    roots: Vec<u32>,
    /// Steps that reach a leaf from any root.
    depth: usize,
}

#[derive(Debug, Clone, Copy)]
struct FlatNode {
    feature: u32,
    threshold: f64,
    children: [u32; 2],
}

/// Cache of the flat layout; ignored by equality (it is derived from the trees).
#[derive(Debug, Clone, Default)]
struct FlatCache(std::sync::OnceLock<Option<Flat>>);

impl PartialEq for FlatCache {
    fn eq(&self, _: &FlatCache) -> bool {
        true
    }
}

impl Flat {
    /// The flat layout, or `None` when some child does not come after its parent (then
    /// [`Forest::probability`] walks the trees as they are).
    fn new(trees: &[Vec<TreeNode>]) -> Option<Flat> {
        let mut flat = Flat {
            nodes: Vec::new(),
            values: Vec::new(),
            roots: Vec::new(),
            depth: 0,
        };
        for tree in trees {
            if tree.is_empty() {
                continue;
            }
            let offset = u32::try_from(flat.nodes.len()).ok()?;
            flat.roots.push(offset);
            let mut depths = vec![0usize; tree.len()];
            for (at, node) in tree.iter().enumerate() {
                let me = offset + at as u32;
                if node.feature < 0 {
                    flat.nodes.push(FlatNode {
                        feature: 0,
                        threshold: 0.0,
                        children: [me, me],
                    });
                    flat.depth = flat.depth.max(depths[at]);
                } else {
                    let (left, right) = (node.left as usize, node.right as usize);
                    if left <= at || right <= at || left >= tree.len() || right >= tree.len() {
                        return None;
                    }
                    depths[left] = depths[left].max(depths[at] + 1);
                    depths[right] = depths[right].max(depths[at] + 1);
                    flat.nodes.push(FlatNode {
                        feature: u32::try_from(node.feature).ok()?,
                        threshold: node.threshold,
                        children: [offset + node.left, offset + node.right],
                    });
                }
                flat.values.push(node.value);
            }
        }
        Some(flat)
    }

    fn margin(&self, base: f64, row: &[f64]) -> f64 {
        let mut margin = base;
        for &root in &self.roots {
            let mut at = root as usize;
            for _ in 0..self.depth {
                let node = self.nodes[at];
                let x = row.get(node.feature as usize).copied().unwrap_or(0.0);
                // Left unless `x <= threshold` fails (NaN goes right, as in the walk).
                let left = x <= node.threshold;
                at = node.children[usize::from(!left)] as usize;
            }
            margin += self.values[at];
        }
        margin
    }
}

/// Settings of [`fit`].
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub rounds: usize,
    pub depth: usize,
    pub rate: f64,
    pub lambda: f64,
    pub min_hessian: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rounds: 150,
            depth: 4,
            rate: 0.1,
            lambda: 1.0,
            min_hessian: 2.0,
        }
    }
}

impl Forest {
    /// Whether every node refers to features below `dims` and to later nodes only.
    pub fn is_valid(&self, dims: usize) -> bool {
        self.base.is_finite()
            && self.trees.iter().all(|tree| {
                !tree.is_empty()
                    && tree.iter().enumerate().all(|(at, node)| {
                        node.feature < 0
                            || ((node.feature as usize) < dims
                                && (node.left as usize) > at
                                && (node.right as usize) > at
                                && (node.left as usize) < tree.len()
                                && (node.right as usize) < tree.len())
                    })
            })
    }

    /// A forest of `trees` after `base`.
    pub fn new(base: f64, trees: Vec<Vec<TreeNode>>) -> Forest {
        Forest {
            base,
            trees,
            flat: FlatCache::default(),
        }
    }

    /// Probability of the positive class.
    pub fn probability(&self, row: &[f64]) -> f64 {
        let margin = match self.flat.0.get_or_init(|| Flat::new(&self.trees)) {
            Some(flat) => flat.margin(self.base, row),
            None => self.walk_margin(row),
        };
        1.0 / (1.0 + (-margin).exp())
    }

    /// The margin by walking the trees node by node.
    fn walk_margin(&self, row: &[f64]) -> f64 {
        let mut margin = self.base;
        for tree in &self.trees {
            let mut at = 0usize;
            while let Some(node) = tree.get(at) {
                if node.feature < 0 {
                    margin += node.value;
                    break;
                }
                let x = row.get(node.feature as usize).copied().unwrap_or(0.0);
                let next = if x <= node.threshold {
                    node.left
                } else {
                    node.right
                } as usize;
                if next <= at {
                    break;
                }
                at = next;
            }
        }
        margin
    }
}

fn cut_points(values: &mut [f64]) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    let mut unique: Vec<f64> = Vec::new();
    for &value in values.iter() {
        if unique.last() != Some(&value) {
            unique.push(value);
        }
    }
    if unique.len() <= 1 {
        return Vec::new();
    }
    if unique.len() <= 32 {
        unique.pop();
        return unique;
    }
    let mut cuts: Vec<f64> = (1..32).map(|k| values[k * values.len() / 32]).collect();
    cuts.dedup();
    if cuts.last() == unique.last() {
        cuts.pop();
    }
    cuts
}

/// Fits a forest on (features, label 0/1, weight) rows.
pub fn fit(rows: &[(Vec<f64>, f64, f64)], dims: usize, settings: Settings) -> Forest {
    let n = rows.len();
    if n == 0 {
        return Forest::new(0.0, Vec::new());
    }
    let mean_weight = rows.iter().map(|r| r.2).sum::<f64>() / n as f64;
    let weight: Vec<f64> = rows.iter().map(|r| r.2 / mean_weight.max(1e-12)).collect();
    let positive: f64 = rows.iter().zip(&weight).map(|(r, w)| r.1 * w).sum();
    let total: f64 = weight.iter().sum();
    let share = (positive / total).clamp(1e-6, 1.0 - 1e-6);
    let base = (share / (1.0 - share)).ln();
    let cuts: Vec<Vec<f64>> = (0..dims)
        .map(|d| {
            let mut values: Vec<f64> = rows.iter().map(|r| r.0[d]).collect();
            cut_points(&mut values)
        })
        .collect();
    const BINS: usize = 32;
    let mut bins = vec![0u8; n * dims];
    for (i, row) in rows.iter().enumerate() {
        for d in 0..dims {
            let x = row.0[d];
            bins[i * dims + d] = cuts[d].partition_point(|&cut| cut < x) as u8;
        }
    }
    let mut margin = vec![base; n];
    let mut trees = Vec::with_capacity(settings.rounds);
    let mut gradient = vec![0.0; n];
    let mut hessian = vec![0.0; n];
    for _ in 0..settings.rounds {
        for i in 0..n {
            let p = 1.0 / (1.0 + (-margin[i]).exp());
            gradient[i] = weight[i] * (p - rows[i].1);
            hessian[i] = (weight[i] * p * (1.0 - p)).max(1e-12);
        }
        let mut tree: Vec<TreeNode> = Vec::new();
        // (node index, rows, depth)
        let mut open: Vec<(usize, Vec<u32>, usize)> = vec![(0, (0..n as u32).collect(), 0)];
        tree.push(TreeNode::LEAF);
        let mut histogram = vec![(0.0f64, 0.0f64); dims * BINS];
        while let Some((at, members, depth)) = open.pop() {
            let g: f64 = members.iter().map(|&i| gradient[i as usize]).sum();
            let h: f64 = members.iter().map(|&i| hessian[i as usize]).sum();
            tree[at].value = -settings.rate * g / (h + settings.lambda);
            if depth >= settings.depth || h < 2.0 * settings.min_hessian {
                continue;
            }
            histogram.iter_mut().for_each(|cell| *cell = (0.0, 0.0));
            for &i in &members {
                let i = i as usize;
                let row_bins = &bins[i * dims..(i + 1) * dims];
                for (d, &bin) in row_bins.iter().enumerate() {
                    let cell = &mut histogram[d * BINS + bin as usize];
                    cell.0 += gradient[i];
                    cell.1 += hessian[i];
                }
            }
            let parent_score = g * g / (h + settings.lambda);
            let mut best: Option<(f64, usize, usize)> = None;
            for d in 0..dims {
                let (mut gl, mut hl) = (0.0, 0.0);
                for b in 0..cuts[d].len() {
                    let cell = histogram[d * BINS + b];
                    gl += cell.0;
                    hl += cell.1;
                    let (gr, hr) = (g - gl, h - hl);
                    if hl < settings.min_hessian || hr < settings.min_hessian {
                        continue;
                    }
                    let gain = gl * gl / (hl + settings.lambda) + gr * gr / (hr + settings.lambda)
                        - parent_score;
                    if gain > 1e-9 && best.is_none_or(|(value, _, _)| gain > value) {
                        best = Some((gain, d, b));
                    }
                }
            }
            let Some((_, d, b)) = best else { continue };
            let (left, right): (Vec<u32>, Vec<u32>) = members
                .iter()
                .partition(|&&i| (bins[i as usize * dims + d] as usize) <= b);
            let left_at = tree.len();
            for _ in 0..2 {
                tree.push(TreeNode::LEAF);
            }
            tree[at].feature = d as i32;
            tree[at].threshold = cuts[d][b];
            tree[at].left = left_at as u32;
            tree[at].right = left_at as u32 + 1;
            tree[at].value = 0.0;
            open.push((left_at, left, depth + 1));
            open.push((left_at + 1, right, depth + 1));
        }
        let forest_tree = tree;
        for (i, row) in rows.iter().enumerate() {
            let mut at = 0usize;
            loop {
                let node = &forest_tree[at];
                if node.feature < 0 {
                    margin[i] += node.value;
                    break;
                }
                at = if row.0[node.feature as usize] <= node.threshold {
                    node.left
                } else {
                    node.right
                } as usize;
            }
        }
        trees.push(forest_tree);
    }
    Forest::new(base, trees)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_band_a_line_cannot() {
        // label = x0 inside [0.3, 0.6]: no single linear threshold separates it
        let rows: Vec<(Vec<f64>, f64, f64)> = (0..500)
            .map(|i| {
                let x = i as f64 / 500.0;
                let noise = (i % 7) as f64 / 7.0;
                (
                    vec![x, noise],
                    f64::from(u8::from((0.3..0.6).contains(&x))),
                    1.0,
                )
            })
            .collect();
        let forest = fit(&rows, 2, Settings::default());
        assert!(forest.is_valid(2));
        let wrong = rows
            .iter()
            .filter(|(row, label, _)| (forest.probability(row) > 0.5) != (*label > 0.5))
            .count();
        // (cut points are quantiles, so the band edges are off by at most one bin; a line errs on
        // at least 150 of the 500)
        assert!(wrong <= 20, "{wrong} of 500 wrong");
        // The flat layout sums the same leaves in the same order as the walk.
        for (row, _, _) in &rows {
            let flat = Flat::new(&forest.trees).map(|flat| flat.margin(forest.base, row));
            assert_eq!(flat, Some(forest.walk_margin(row)));
        }
        let mut broken = forest.clone();
        broken.trees[0][0].left = 0;
        assert!(!broken.is_valid(2));
    }
}
