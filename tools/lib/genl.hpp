// A small generic netlink client over libnl-genl that reports the kernel's
// extack message when a request is refused.
//
//   GenlSocket sock("ntvnic", "ntvnic");     // family, module that provides it
//   auto msg = sock.message(NTVNIC_CMD_NEW);
//   nla_put_string(msg.get(), NTVNIC_A_NAME, "nt0");
//   sock.request(msg, "create nt0");          // throws Error("create nt0: <extack>")
//   sock.dump(sock.message(NTVNIC_CMD_GET, NLM_F_DUMP), NTVNIC_A_MAX,
//             [](const GenlAttrs &a) { ... a.str(NTVNIC_A_NAME) ... });
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct nl_sock;
struct nl_msg;
struct nlattr;

namespace nettune {

using NlMsgPtr = std::unique_ptr<nl_msg, void (*)(nl_msg *)>;

// Parsed attributes of one message (or one nest), indexed by attribute type.
class GenlAttrs {
public:
	GenlAttrs(nlattr *const *tb, int maxattr);
	static GenlAttrs parse_nested(const nlattr *nest, int maxattr);

	bool has(int type) const;
	const nlattr *raw(int type) const;
	uint8_t u8(int type) const;
	uint16_t u16(int type) const;
	uint32_t u32(int type) const;
	uint64_t u64(int type) const;
	std::string str(int type) const;
	std::vector<uint8_t> bytes(int type) const;
	// Each attribute nested directly inside `type` (a list of entries).
	std::vector<const nlattr *> nested_list(int type) const;

private:
	std::vector<nlattr *> tb_;
};

class GenlSocket {
public:
	// Resolves `family`; if it is missing, the error names `module`.
	GenlSocket(const std::string &family, const std::string &module);
	~GenlSocket();
	GenlSocket(const GenlSocket &) = delete;
	GenlSocket &operator=(const GenlSocket &) = delete;

	NlMsgPtr message(uint8_t cmd, int flags = 0) const;
	// Sends and waits for the ACK. On refusal throws Error
	// "<what>: <extack message or strerror>"; EPERM names CAP_NET_ADMIN.
	void request(NlMsgPtr &msg, const std::string &what);
	// Like request() but hands each reply's attributes to `on_reply`.
	void request_with_reply(NlMsgPtr &msg, const std::string &what, int maxattr,
				const std::function<void(const GenlAttrs &)> &on_reply);
	// Sends a NLM_F_DUMP request and hands each reply's attributes to `on_entry`.
	void dump(NlMsgPtr msg, int maxattr, const std::function<void(const GenlAttrs &)> &on_entry,
		  const std::string &what = "dump");

	int family_id() const { return family_id_; }
	// Socket buffers (and default message size) for requests larger than a
	// page, such as a whole rule set.
	void set_buffer_size(int bytes);
	// Names of request attributes: a refusal the kernel's policy made
	// (it points at the attribute) then names the setting and the range,
	// "rate: integer out of range (allowed 0..100)".
	void set_attr_names(std::map<int, std::string> names) { attr_names_ = std::move(names); }

private:
	void transact(NlMsgPtr &msg, const std::string &what, int maxattr,
		      const std::function<void(const GenlAttrs &)> *on_reply);

	nl_sock *sock_ = nullptr;
	int family_id_ = -1;
	std::string family_;
	std::map<int, std::string> attr_names_;
};

// Extack message ("NLMSGERR_ATTR_MSG") of a netlink error message, if any.
std::optional<std::string> extack_message(const void *nlmsghdr_ptr, size_t len);

// What an error message's extack says beyond the text: the offset of the
// offending attribute in the request (NLMSGERR_ATTR_OFFS) and the range its
// policy allows (NLMSGERR_ATTR_POLICY), when the kernel sent them.
struct ExtackDetail {
	std::optional<uint32_t> offset;
	std::optional<uint64_t> min, max;
};
ExtackDetail extack_detail(const void *nlmsghdr_ptr, size_t len);

} // namespace nettune
