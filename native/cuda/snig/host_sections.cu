#include "host_sections.hpp"

#include <map>
#include <mutex>
#include <tuple>

namespace snig::cuda::sectioned {

std::shared_ptr<const HostSections> sharedHostSections(const std::shared_ptr<const Model>& model,
                                                       const SectionPlan& plan, uint32_t firstLayer,
                                                       uint32_t lastLayer) {
  using Key = std::tuple<const Model*, uint32_t, uint32_t, uint32_t>;
  static std::mutex mutex;
  static std::map<Key, std::weak_ptr<const HostSections>> cache;
  // Held while building, so pipelines created at once on several GPUs build the layout once.
  std::lock_guard<std::mutex> lock(mutex);
  const Key key{model.get(), plan.sectionSize, firstLayer, lastLayer};
  if (auto found = cache[key].lock()) return found;
  auto sections = std::make_shared<HostSections>();
  sections->layout = layoutSections(*model, plan, firstLayer, lastLayer);
  sections->bytes = PinnedBuffer<uint8_t>(sections->layout.totalBytes);
  fillSections(*model, firstLayer, sections->layout, sections->bytes.get());
  cache[key] = sections;
  return sections;
}

}  // namespace snig::cuda::sectioned
