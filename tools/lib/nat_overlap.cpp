#include "nat_overlap.hpp"

#include "error.hpp"
#include "sysfs.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <memory>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <sys/socket.h>
#include <unistd.h>

namespace nettune::bypass {

namespace {

using nlohmann::json;

const std::set<std::string> kIptablesNatTargets = {"DNAT", "SNAT", "MASQUERADE", "REDIRECT",
						   "NETMAP"};
const std::set<std::string> kNftNatStatements = {"dnat", "snat", "masquerade", "redirect"};

std::optional<uint8_t> try_proto(const std::string &word)
{
	try {
		return parse_proto(word);
	} catch (const UsageError &) {
		return std::nullopt; // "all", or a name we do not know: any protocol
	}
}

std::optional<Prefix> try_prefix(const std::string &word)
{
	try {
		return parse_prefix(word, "nat");
	} catch (const UsageError &) {
		return std::nullopt; // a mask we cannot read: any address
	}
}

std::optional<PortRange> try_ports(const std::string &lo, const std::string &hi)
{
	try {
		return PortRange{parse_port_range(lo, "nat").lo, parse_port_range(hi, "nat").lo};
	} catch (const UsageError &) {
		return std::nullopt;
	}
}

// iptables port lists: "80", "1000:2000", "80,443,1000:2000" (multiport).
// An unreadable element makes the whole list "any port".
std::vector<PortRange> iptables_ports(const std::string &text)
{
	std::vector<PortRange> out;
	for (const auto &item : split(text, ',')) {
		auto colon = item.find(':');
		std::string lo = colon == std::string::npos ? item : item.substr(0, colon);
		std::string hi = colon == std::string::npos ? item : item.substr(colon + 1);
		auto r = try_ports(lo.empty() ? "1" : lo, hi.empty() ? "65535" : hi);
		if (!r)
			return {};
		out.push_back(*r);
	}
	return out;
}

// Applies one iptables option (already known not to be negated) to `nat`.
void apply_iptables_option(NatRule &nat, const std::string &opt, const std::string &value)
{
	if (opt == "-p" || opt == "--protocol")
		nat.proto = try_proto(value);
	else if (opt == "-s" || opt == "--source")
		nat.src = try_prefix(value);
	else if (opt == "-d" || opt == "--destination")
		nat.dst = try_prefix(value);
	else if (opt == "-i" || opt == "--in-interface")
		nat.iif = value;
	else if (opt == "-o" || opt == "--out-interface")
		nat.oif = value;
	else if (opt == "--sport" || opt == "--source-port" || opt == "--sports" ||
		 opt == "--source-ports")
		nat.sports = iptables_ports(value);
	else if (opt == "--dport" || opt == "--destination-port" || opt == "--dports" ||
		 opt == "--destination-ports")
		nat.dports = iptables_ports(value);
}

// One "-A CHAIN ..." line; nullopt unless it jumps to a NAT target.
std::optional<NatRule> parse_iptables_line(const std::string &line, int family,
					   const std::string &tool)
{
	auto words = split_whitespace(line);
	if (words.size() < 2 || words[0] != "-A")
		return std::nullopt;
	NatRule nat;
	nat.family = family;
	nat.origin = tool + ": " + line;
	bool negate = false;
	std::string target;
	for (size_t i = 2; i < words.size(); i++) {
		const std::string &w = words[i];
		if (w == "!") {
			negate = true;
			continue;
		}
		bool has_value = i + 1 < words.size();
		if ((w == "-j" || w == "--jump") && has_value)
			target = words[i + 1];
		else if (!negate && has_value && w.starts_with("-"))
			apply_iptables_option(nat, w, words[i + 1]);
		negate = false;
	}
	if (!kIptablesNatTargets.count(target))
		return std::nullopt;
	return nat;
}

int nft_family(const std::string &name)
{
	if (name == "ip")
		return AF_INET;
	if (name == "ip6")
		return AF_INET6;
	if (name == "inet")
		return 0;
	return -1; // bridge, netdev, arp: no conntrack NAT
}

bool has_key(const json &expr, const std::string &key)
{
	return expr.is_object() && expr.contains(key);
}

std::string json_text(const json &v)
{
	return v.is_string() ? v.get<std::string>() : v.dump();
}

// Port ranges of a match's right side: 80, {"range":[a,b]}, {"set":[...]}.
// Anything else (a named set "@x", a map) means any port.
std::vector<PortRange> nft_ports(const json &right)
{
	std::vector<PortRange> out;
	auto add = [&out](const json &v) {
		if (v.is_number_unsigned())
			out.push_back({v.get<uint16_t>(), v.get<uint16_t>()});
		else if (has_key(v, "range") && v["range"].size() == 2 &&
			 v["range"][0].is_number() && v["range"][1].is_number())
			out.push_back(
				{v["range"][0].get<uint16_t>(), v["range"][1].get<uint16_t>()});
		else
			return false;
		return true;
	};
	if (has_key(right, "set")) {
		for (const auto &v : right["set"])
			if (!add(v))
				return {};
		return out;
	}
	if (!add(right))
		return {};
	return out;
}

// An address match's right side: "10.0.0.1" or {"prefix":{addr,len}}.
std::optional<Prefix> nft_prefix(const json &right)
{
	if (right.is_string())
		return try_prefix(right.get<std::string>());
	if (has_key(right, "prefix") && right["prefix"].contains("addr"))
		return try_prefix(json_text(right["prefix"]["addr"]) + "/" +
				  json_text(right["prefix"]["len"]));
	return std::nullopt;
}

void apply_nft_payload(NatRule &nat, const json &payload, const json &right)
{
	std::string proto = payload.value("protocol", "");
	std::string field = payload.value("field", "");
	if (proto == "ip" || proto == "ip6") {
		nat.family = proto == "ip" ? AF_INET : AF_INET6;
		if (field == "saddr")
			nat.src = nft_prefix(right);
		else if (field == "daddr")
			nat.dst = nft_prefix(right);
		return;
	}
	if (field != "sport" && field != "dport")
		return;
	if (proto != "th")
		nat.proto = try_proto(proto);
	(field == "sport" ? nat.sports : nat.dports) = nft_ports(right);
}

void apply_nft_meta(NatRule &nat, const std::string &key, const json &right)
{
	if (!right.is_string())
		return;
	std::string value = right.get<std::string>();
	if (key == "l4proto")
		nat.proto = try_proto(value);
	else if (key == "iifname" || key == "iif")
		nat.iif = value;
	else if (key == "oifname" || key == "oif")
		nat.oif = value;
	else if (key == "nfproto")
		nat.family = nft_family(value == "ipv4" ? "ip" : value == "ipv6" ? "ip6" : value);
}

// One "match" expression; negations and unknown keys constrain nothing.
void apply_nft_match(NatRule &nat, const json &match)
{
	if (match.value("op", "==") != "==" || !match.contains("left") || !match.contains("right"))
		return;
	const json &left = match["left"];
	const json &right = match["right"];
	if (has_key(left, "payload"))
		apply_nft_payload(nat, left["payload"], right);
	else if (has_key(left, "meta") && left["meta"].contains("key"))
		apply_nft_meta(nat, left["meta"]["key"].get<std::string>(), right);
}

std::optional<NatRule> parse_nft_rule(const json &rule)
{
	int family = nft_family(rule.value("family", ""));
	if (family < 0 || !rule.contains("expr"))
		return std::nullopt;
	NatRule nat;
	nat.family = family;
	nat.origin = "nft: table " + rule.value("family", "") + " " + rule.value("table", "") +
		     " chain " + rule.value("chain", "") + " handle " +
		     json_text(rule.value("handle", json(0)));
	bool is_nat = false;
	for (const auto &expr : rule["expr"]) {
		if (has_key(expr, "xt"))
			return std::nullopt; // iptables-nft's rule: iptables-save shows it
		if (has_key(expr, "match"))
			apply_nft_match(nat, expr["match"]);
		for (const auto &stmt : kNftNatStatements)
			is_nat |= has_key(expr, stmt);
	}
	if (!is_nat)
		return std::nullopt;
	return nat;
}

bool ifname_matches(const std::string &pattern, const std::string &name)
{
	if (!pattern.empty() && (pattern.back() == '+' || pattern.back() == '*'))
		return name.starts_with(pattern.substr(0, pattern.size() - 1));
	return pattern == name;
}

bool interfaces_overlap(const std::string &bypass, const std::string &nat)
{
	return bypass.empty() || nat.empty() || ifname_matches(nat, bypass);
}

bool ports_overlap(const std::optional<PortRange> &bypass, const std::vector<PortRange> &nat)
{
	if (!bypass || nat.empty())
		return true;
	return std::any_of(nat.begin(), nat.end(),
			   [&](const PortRange &r) { return ranges_overlap(*bypass, r); });
}

bool prefix_overlaps(const std::optional<Prefix> &bypass, const std::optional<Prefix> &nat)
{
	return !bypass || !nat || prefixes_overlap(*bypass, *nat);
}

std::string run_capture(const std::string &command)
{
	std::unique_ptr<FILE, int (*)(FILE *)> pipe(popen(command.c_str(), "r"), pclose);
	if (!pipe)
		return "";
	std::string out;
	std::array<char, 4096> buf;
	size_t n;
	while ((n = fread(buf.data(), 1, buf.size(), pipe.get())) > 0)
		out.append(buf.data(), n);
	return out;
}

// Legacy xtables NAT tables in this namespace, if any exist: listing them
// otherwise would create them (and register their hooks).
bool legacy_nat_table_exists(const std::string &names_file)
{
	auto names = try_read_file(names_file);
	return names && names->find("nat") != std::string::npos;
}

// Whether one NFT_MSG_NEWCHAIN message of a dump names a chain of type nat
// (its attributes walked as find_tcp_info() in observe_sockdiag.cpp does).
bool is_nat_chain(const nlmsghdr *msg)
{
	auto *attr = reinterpret_cast<const rtattr *>(static_cast<const char *>(NLMSG_DATA(msg)) +
						      NLMSG_ALIGN(sizeof(nfgenmsg)));
	int rem = static_cast<int>(msg->nlmsg_len) - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(nfgenmsg)));
	for (; RTA_OK(attr, rem); attr = RTA_NEXT(attr, rem))
		if ((attr->rta_type & NLA_TYPE_MASK) == NFTA_CHAIN_TYPE) {
			const char *type = static_cast<const char *>(RTA_DATA(attr));
			return std::string_view(type, strnlen(type, RTA_PAYLOAD(attr))) == "nat";
		}
	return false;
}

// Whether any nf_tables chain of this namespace is of type nat, asked of the
// kernel (an NFT_MSG_GETCHAIN dump). Without one neither nft nor
// iptables-nft has a NAT rule to list, and their tools (each a process,
// which a test VM under emulation pays for) need not run. Any error: true,
// so that the tools are asked.
bool nftables_has_nat_chain()
{
	const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0)
		return true;
	const struct Closer {
		int fd;
		~Closer() { close(fd); }
	} closer{fd};
	struct {
		nlmsghdr hdr;
		nfgenmsg nfgen;
	} request{};
	request.hdr.nlmsg_len = sizeof(request);
	request.hdr.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETCHAIN;
	request.hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	request.hdr.nlmsg_seq = 1;
	request.nfgen.nfgen_family = AF_UNSPEC; // NFPROTO_UNSPEC: every family
	request.nfgen.version = NFNETLINK_V0;
	if (send(fd, &request, sizeof(request), 0) != static_cast<ssize_t>(sizeof(request)))
		return true;
	std::array<char, 32768> buf;
	bool found = false;
	for (;;) {
		const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
		if (n <= 0)
			return true;
		int left = static_cast<int>(n);
		for (auto *msg = reinterpret_cast<const nlmsghdr *>(buf.data());
		     NLMSG_OK(msg, left); msg = NLMSG_NEXT(msg, left)) {
			if (msg->nlmsg_type == NLMSG_DONE)
				return found;
			if (msg->nlmsg_type == NLMSG_ERROR)
				return true;
			found = found || is_nat_chain(msg);
		}
	}
}

} // namespace

std::vector<NatRule> parse_iptables_save(const std::string &text, int family,
					 const std::string &tool)
{
	std::vector<NatRule> out;
	bool in_nat = false;
	for (const auto &raw : split(text, '\n')) {
		auto line = trim(raw);
		if (line.starts_with("*"))
			in_nat = line == "*nat";
		else if (in_nat)
			if (auto nat = parse_iptables_line(line, family, tool))
				out.push_back(*nat);
	}
	return out;
}

std::vector<NatRule> parse_nft_json(const std::string &text)
{
	json doc = json::parse(text, nullptr, false);
	if (doc.is_discarded() || !doc.contains("nftables"))
		throw Error("nft -j list ruleset: output is not nftables JSON");
	std::vector<NatRule> out;
	for (const auto &item : doc["nftables"])
		if (has_key(item, "rule"))
			if (auto nat = parse_nft_rule(item["rule"]))
				out.push_back(*nat);
	return out;
}

bool could_overlap(const Rule &d, const NatRule &nat)
{
	int fam = d.family();
	if (fam && nat.family && fam != nat.family)
		return false;
	if (d.proto && nat.proto && *d.proto != *nat.proto)
		return false;
	return ports_overlap(d.sport, nat.sports) && ports_overlap(d.dport, nat.dports) &&
	       prefix_overlaps(d.src, nat.src) && prefix_overlaps(d.dst, nat.dst) &&
	       interfaces_overlap(d.iif, nat.iif) && interfaces_overlap(d.oif, nat.oif);
}

std::vector<std::string> overlap_warnings(const std::vector<Rule> &rules,
					  const std::vector<NatRule> &nat)
{
	std::vector<std::string> out;
	for (const auto &rule : rules) {
		auto dirs = directions(rule);
		for (const auto &n : nat) {
			bool forward = could_overlap(dirs[0], n);
			bool reply = dirs.size() > 1 && could_overlap(dirs[1], n);
			if (!forward && !reply)
				continue;
			out.push_back("bypass rule '" + format_rule(rule) + "'" +
				      (forward ? "" : " (reply direction)") +
				      " may match packets of NAT rule [" + n.origin +
				      "]: untracked packets skip NAT");
		}
	}
	return out;
}

std::vector<NatRule> read_namespace_nat_rules()
{
	std::vector<NatRule> out;
	auto append = [&out](std::vector<NatRule> more) {
		out.insert(out.end(), more.begin(), more.end());
	};
	if (nftables_has_nat_chain()) {
		auto nft = run_capture("nft -j list ruleset 2>/dev/null");
		if (!nft.empty()) {
			try {
				append(parse_nft_json(nft));
			} catch (const Error &) {
				// an nft too old for -j: nothing to compare with
			}
		}
		append(parse_iptables_save(run_capture("iptables-nft-save -t nat 2>/dev/null"),
					   AF_INET, "iptables-save"));
		append(parse_iptables_save(run_capture("ip6tables-nft-save -t nat 2>/dev/null"),
					   AF_INET6, "ip6tables-save"));
	}
	if (legacy_nat_table_exists("/proc/net/ip_tables_names"))
		append(parse_iptables_save(run_capture("iptables-legacy-save -t nat 2>/dev/null"),
					   AF_INET, "iptables-legacy-save"));
	if (legacy_nat_table_exists("/proc/net/ip6_tables_names"))
		append(parse_iptables_save(run_capture("ip6tables-legacy-save -t nat 2>/dev/null"),
					   AF_INET6, "ip6tables-legacy-save"));
	return out;
}

} // namespace nettune::bypass
