// Input rows in page-locked host memory: the device copies them by DMA straight from where they
// are, so an upload (input_upload.hpp) sends each chunk with no copy into staging on the host.
// Two forms: 16-bit columns (SparseRows::narrowCols) and runs of consecutive columns
// (SparseRows::runs, 4 bytes a run), the smaller for images upscaled to N, whose nonzeros come in
// runs (3.5 columns on average in the official 1024 images, longer as N grows).
#pragma once

#include <cstdint>
#include <memory>

#include "../core/inputs.hpp"

namespace snig::cuda {

// The rows' run offsets (SparseRows::runPtr), or else their 16-bit columns, when the device can read
// them as they are (N <= 65536, every value 1, in page-locked memory, however they got there);
// null otherwise.
const uint32_t* pageLockedRunPtr(const SparseRows& rows);
const uint16_t* pageLockedColumns(const SparseRows& rows);

// A compact copy of the rows (their offsets, then the form that pageLockedRunPtr or
// pageLockedColumns finds: runs where they take fewer bytes than 16-bit columns, else the columns),
// built on all cores from the columns the rows hold (a mapped file's 16-bit ones as they are). Rows
// in such a form already share it; null when they do not qualify (N > 65536, or some value other
// than 1, or no nonzeros). Equal to the rows in value.
std::shared_ptr<const SparseRows> pinnedCopy(const SparseRows& rows);

}  // namespace snig::cuda
