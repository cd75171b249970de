// Input rows in page-locked host memory: the device copies them by DMA straight from where they
// are, so an upload (input_upload.hpp) sends each chunk with no copy into staging on the host.
// Two forms: 16-bit columns (SparseRows::narrowCols) and runs of consecutive columns
// (SparseRows::runs, 4 bytes a run), the smaller for images upscaled to N, whose nonzeros come in
// runs (3.5 columns on average in the official 1024 images, longer as N grows).
#pragma once

#include <cstdint>

#include "../core/inputs.hpp"

namespace snig::cuda {

// The rows' run offsets (SparseRows::runPtr), or else their 16-bit columns, when the device can read
// them as they are (N <= 65536, every value 1, in page-locked memory, however they got there);
// null otherwise.
const uint32_t* pageLockedRunPtr(const SparseRows& rows);
const uint16_t* pageLockedColumns(const SparseRows& rows);

// Gives the rows a page-locked form that pageLockedRunPtr or pageLockedColumns then finds: runs
// where they take fewer bytes than 16-bit columns, else the columns, built on all cores from what
// the rows hold; nothing when they have one already, or when they do not qualify (N > 65536, or
// some value other than 1). The rows stay equal.
void pinRows(SparseRows& rows);

}  // namespace snig::cuda
