// Experiment 12: XDP drop against iptables drop. Needs native XDP in
// ntvnic (issue 10); listed until then.
#include "exp/experiment.hpp"

namespace {

using namespace nettune::exp;

Experiment make()
{
	Experiment e;
	e.name = "xdp-drop";
	e.order = 12;
	e.title = "XDP drop against iptables drop";
	e.claim = "Dropping in XDP costs a fraction of dropping in iptables (commonly said "
		  "10-100x fewer cycles per packet)";
	e.anchor = "Høiland-Jørgensen et al., \"The eXpress Data Path\", CoNEXT 2018";
	e.setup = "An ntvnic pair; pktgen floods 64-byte UDP; the receiver drops it with a "
		  "native XDP program or with an iptables raw-table DROP rule; the receive CPU "
		  "time per packet is compared.";
	e.waiting_for = "native XDP in ntvnic (nettune xdp)";
	return e;
}

} // namespace

NETTUNE_EXPERIMENT(xdp_drop, make);
