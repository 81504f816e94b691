#include "rss.hpp"

#include "error.hpp"
#include "keywords.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <cstring>

namespace nettune::rss {

const Key &default_key()
{
	static const Key key = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
				0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
				0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
				0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};
	return key;
}

uint32_t toeplitz(const Key &key, std::span<const uint8_t> input)
{
	if (key.size() < input.size() + 4)
		throw Error("RSS key of " + std::to_string(key.size()) +
			    " bytes is too short for " + std::to_string(input.size()) +
			    " bytes of input (needs " + std::to_string(input.size() + 4) + ")");
	// `window` holds the 32 key bits aligned with the current input bit.
	uint32_t window = (uint32_t)key[0] << 24 | key[1] << 16 | key[2] << 8 | key[3];
	uint32_t hash = 0;
	for (size_t i = 0; i < input.size(); i++) {
		const uint8_t next_key_byte = key[i + 4];
		for (int bit = 7; bit >= 0; bit--) {
			if (input[i] & (1u << bit))
				hash ^= window;
			window = window << 1 | ((next_key_byte >> bit) & 1);
		}
	}
	return hash;
}

std::vector<uint8_t> hash_input(const Flow &flow, bool with_ports)
{
	const size_t alen = flow.ipv6 ? 16 : 4;
	std::vector<uint8_t> in(flow.src.begin(), flow.src.begin() + alen);
	in.insert(in.end(), flow.dst.begin(), flow.dst.begin() + alen);
	if (with_ports) {
		for (uint16_t port : {flow.sport, flow.dport}) {
			in.push_back(port >> 8);
			in.push_back(port & 0xff);
		}
	}
	return in;
}

uint32_t flow_hash(const Key &key, const Flow &flow)
{
	return toeplitz(key, hash_input(flow, flow.proto != Proto::other));
}

std::vector<uint32_t> default_indir(size_t size, uint32_t queues)
{
	if (queues == 0)
		throw Error("an indirection table needs at least one queue");
	std::vector<uint32_t> indir(size);
	for (size_t i = 0; i < size; i++)
		indir[i] = i % queues;
	return indir;
}

uint32_t queue_for_hash(uint32_t hash, const std::vector<uint32_t> &indir)
{
	if (indir.empty())
		throw Error("the RSS indirection table is empty");
	return indir[hash % indir.size()];
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = std::tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

Key parse_key(const std::string &text)
{
	std::string digits;
	for (char c : text)
		if (c != ':')
			digits += c;
	if (digits.empty() || digits.size() % 2)
		throw UsageError("key '" + text + "': needs an even number of hex digits");
	Key key;
	for (size_t i = 0; i < digits.size(); i += 2) {
		int hi = hex_digit(digits[i]), lo = hex_digit(digits[i + 1]);
		if (hi < 0 || lo < 0)
			throw UsageError("key '" + text + "': '" + digits.substr(i, 2) +
					 "' is not a hex byte");
		key.push_back(hi << 4 | lo);
	}
	return key;
}

std::string format_key(const Key &key)
{
	static const char hex[] = "0123456789abcdef";
	std::string out;
	for (size_t i = 0; i < key.size(); i++) {
		if (i)
			out += ':';
		out += hex[key[i] >> 4];
		out += hex[key[i] & 15];
	}
	return out;
}

namespace {

struct Endpoint {
	bool ipv6 = false;
	std::array<uint8_t, 16> addr{};
	uint16_t port = 0;
};

// Splits "ADDR:PORT" or "[ADDR6]:PORT" into address and port text.
std::pair<std::string, std::string> split_host_port(const std::string &text,
						    const std::string &side)
{
	if (!text.empty() && text[0] == '[') {
		auto close = text.find(']');
		if (close == std::string::npos)
			throw UsageError(side + " '" + text + "': missing ']' after IPv6 address");
		if (close + 1 >= text.size() || text[close + 1] != ':')
			throw UsageError(side + " '" + text + "': missing ':PORT' after ']'");
		return {text.substr(1, close - 1), text.substr(close + 2)};
	}
	auto colon = text.rfind(':');
	if (colon == std::string::npos)
		throw UsageError(side + " '" + text + "': missing ':PORT'");
	if (text.find(':') != colon)
		throw UsageError(side + " '" + text + "': write IPv6 as [ADDR]:PORT");
	return {text.substr(0, colon), text.substr(colon + 1)};
}

Endpoint parse_endpoint(const std::string &text, const std::string &side)
{
	auto [host, port] = split_host_port(text, side);
	Endpoint ep;
	if (inet_pton(AF_INET, host.c_str(), ep.addr.data()) == 1)
		ep.ipv6 = false;
	else if (inet_pton(AF_INET6, host.c_str(), ep.addr.data()) == 1)
		ep.ipv6 = true;
	else
		throw UsageError(side + " address '" + host + "' is not an IPv4 or IPv6 address");
	ep.port = parse_uint(port, 0, 65535, side + " port");
	return ep;
}

} // namespace

Flow parse_flow(const std::string &text, Proto proto)
{
	auto comma = text.find(',');
	if (comma == std::string::npos || text.find(',', comma + 1) != std::string::npos)
		throw UsageError("flow '" + text + "': expected SRC:PORT,DST:PORT");
	Endpoint src = parse_endpoint(text.substr(0, comma), "source");
	Endpoint dst = parse_endpoint(text.substr(comma + 1), "destination");
	if (src.ipv6 != dst.ipv6)
		throw UsageError("flow '" + text + "': source and destination mix IPv4 and IPv6");
	Flow f;
	f.ipv6 = src.ipv6;
	f.src = src.addr;
	f.dst = dst.addr;
	f.sport = src.port;
	f.dport = dst.port;
	f.proto = proto;
	return f;
}

Proto parse_proto(const std::string &text)
{
	if (text == "tcp")
		return Proto::tcp;
	if (text == "udp")
		return Proto::udp;
	if (text == "other" || text == "none")
		return Proto::other;
	throw UsageError("proto '" + text + "': expected tcp, udp or other");
}

std::string address_string(const Flow &flow, bool source)
{
	char buf[INET6_ADDRSTRLEN];
	const auto &a = source ? flow.src : flow.dst;
	inet_ntop(flow.ipv6 ? AF_INET6 : AF_INET, a.data(), buf, sizeof(buf));
	return buf;
}

std::string proto_name(Proto proto)
{
	switch (proto) {
	case Proto::tcp:
		return "tcp";
	case Proto::udp:
		return "udp";
	default:
		return "other";
	}
}

} // namespace nettune::rss
