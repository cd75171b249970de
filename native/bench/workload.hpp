// What snig-bench runs on: the model and the input rows, loaded or generated.
#pragma once

#include <memory>

#include "../core/inputs.hpp"
#include "../core/model.hpp"
#include "bench_options.hpp"

namespace snig::bench {

struct Workload {
  std::shared_ptr<const Model> model;
  SparseRows inputs;
};

// Loads or generates per the options, logging what it did and how long it took to stderr.
Workload prepareWorkload(const BenchOptions& options);

// Writes the workload where --save and --save-tsv say, logging the time to stderr.
void saveWorkload(const Workload& w, const BenchOptions& options);

}  // namespace snig::bench
