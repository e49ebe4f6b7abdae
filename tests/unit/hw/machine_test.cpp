// The machine registry: -M NAME lookup and the -M help listing.
#include "hw/core/machine.h"

#include <gtest/gtest.h>

using namespace mimic::hw;

TEST(MachineRegistry, FindAndHelp) {
  register_machine({"zeta", "Zeta test board", nullptr});
  register_machine({"alpha", "Alpha test board", nullptr, true});
  ASSERT_NE(find_machine("zeta"), nullptr);
  EXPECT_EQ(find_machine("zeta")->description, "Zeta test board");
  EXPECT_EQ(find_machine("nosuch"), nullptr);
  std::string help = machine_help();
  // qemu-system's layout: a heading, then name padded to 20 columns and the description.
  EXPECT_EQ(help.rfind("Supported machines are:\n", 0), 0u) << help;
  auto a = help.find("alpha                Alpha test board (default)\n");
  auto z = help.find("zeta                 Zeta test board\n");
  ASSERT_NE(a, std::string::npos) << help;
  ASSERT_NE(z, std::string::npos) << help;
  EXPECT_LT(a, z);
  // Registering again replaces.
  register_machine({"zeta", "Zeta v2", nullptr});
  EXPECT_EQ(find_machine("zeta")->description, "Zeta v2");
  size_t count = 0;
  for (auto* t : machine_types()) count += t->name == "zeta";
  EXPECT_EQ(count, 1u);
}
