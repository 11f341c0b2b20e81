//! Capacity planning: sizing, cost, energy, the comparison, sweeps and the shipped data.
