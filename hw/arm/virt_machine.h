// The arm virt machine with its vCPUs (hw/arm/virt_machine.cpp): registered as `virt` for
// `mimic system-aarch64`.
#pragma once

#include <functional>
#include <memory>

#include "hw/core/machine.h"

namespace mimic::tcg {
class ExecEngine;
}

namespace mimic::hw {

class AddressSpace;
using ArmEngineFactory = std::function<std::shared_ptr<tcg::ExecEngine>(const MachineConfig&, AddressSpace&)>;
void register_arm_virt(ArmEngineFactory make_engine);

}  // namespace mimic::hw
