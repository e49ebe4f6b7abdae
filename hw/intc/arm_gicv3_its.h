// The GICv3 Interrupt Translation Service (IHI0069 chapters 5.2 and 6; QEMU's arm_gicv3_its
// at 0x08080000 on virt): translates an MSI (a device's write of an EventID to
// GITS_TRANSLATER) through the guest's tables into an LPI on a redistributor.
//
// The tables live in guest memory as the guest sizes them through GITS_BASER<n> (BASER0 the
// device table, BASER1 the collection table, flat or two-level), the interrupt translation
// tables where MAPD places them. Their entries are mimic's own 8-byte formats (the
// architecture leaves them IMPLEMENTATION DEFINED; GITS_TYPER and GITS_BASER say the sizes):
//   device (DTE):     63 Valid, 51:8 ITT address, 4:0 EventID bits - 1
//   collection (CTE): 63 Valid, 31:0 target redistributor (processor number: GITS_TYPER.PTA = 0)
//   translation (ITE): 63 Valid, 47:32 ICID, 31:0 physical LPI INTID
// Commands (MAPD, MAPC, MAPTI, MAPI, MOVI, DISCARD, INV, INVALL, INT, CLEAR, SYNC, MOVALL) run
// when the guest moves GITS_CWRITER, to completion: GITS_CREADR has caught up when the write
// returns, and GITS_CTLR.Quiescent always reads 1. A command with bad arguments is dropped with a
// -d guest_errors/unimp line (QEMU does the same); the queue moves on.
#pragma once

#include <cstdint>

#include "hw/core/memory.h"
#include "hw/core/snapshot.h"

namespace mimic::tcg {
class Logger;
}

namespace mimic::hw {

class GicV3;

class GicV3Its final : public MmioOps {
 public:
  static constexpr uint64_t kSize = 0x20000;              // control frame + translation frame
  static constexpr uint64_t kTranslaterOffset = 0x10040;  // GITS_TRANSLATER
  static constexpr unsigned kDeviceIdBits = 16, kEventIdBits = 16, kCollectionIdBits = 16;
  static constexpr unsigned kEntrySize = 8;  // DTE, CTE and ITE

  GicV3Its(GicV3& gic, AddressSpace& memory, tcg::Logger* log);
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;
  // An MSI: device `device_id` (the PCI requester ID) wrote `event` to GITS_TRANSLATER.
  void translate(uint32_t device_id, uint32_t event);
  void reset();

  // The registers (the tables are in guest RAM, saved with it).
  void snapshot_state(StateIo& io);

 private:
  struct Registers {
    bool enabled = false;
    uint64_t cbaser = 0, cwriter = 0, creadr = 0;
    uint64_t baser[8] = {};
  };
  struct Translation {
    uint32_t intid = 0, icid = 0;
    uint64_t ite_addr = 0;
    unsigned target = 0;  // the collection's redistributor
  };
  uint64_t baser_read(unsigned n) const;
  void baser_write(unsigned n, uint64_t value);
  // The address of entry `id` of the table of GITS_BASER<n> (following a level-1 entry for a
  // two-level table), or 0 when the table is invalid, too small, or its level-2 page is absent.
  uint64_t table_entry(unsigned n, uint32_t id);
  bool read_entry(uint64_t addr, uint64_t& value);
  bool write_entry(uint64_t addr, uint64_t value);
  // The event's ITE and its collection; false (and a log line naming `what`) when any is missing.
  bool lookup(const char* what, uint32_t device_id, uint32_t event, Translation& t);
  bool collection_target(uint32_t icid, unsigned& target);
  void process_queue();
  void run_command(const uint64_t cmd[4]);
  void guest_error(const std::string& what) const;

  GicV3& gic_;
  AddressSpace& memory_;
  tcg::Logger* log_;
  Registers regs_;
};

}  // namespace mimic::hw
