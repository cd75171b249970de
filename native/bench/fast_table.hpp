// `snig-bench fast-table`: the fast pipeline's table of the challenge benchmarks (fast_table.cpp).
#pragma once

namespace snig::bench {

// argv[0] is "fast-table"; returns the exit status.
int fastTable(int argc, char** argv);

}  // namespace snig::bench
