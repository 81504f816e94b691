#include "genl.hpp"

#include "error.hpp"

#include <cerrno>
#include <cstring>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <sys/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace nettune {

GenlAttrs::GenlAttrs(nlattr *const *tb, int maxattr) : tb_(tb, tb + maxattr + 1) {}

GenlAttrs GenlAttrs::parse_nested(const nlattr *nest, int maxattr)
{
	std::vector<nlattr *> tb(maxattr + 1, nullptr);
	if (nla_parse_nested(tb.data(), maxattr, const_cast<nlattr *>(nest), nullptr) < 0)
		throw Error("malformed nested netlink attribute");
	return GenlAttrs(tb.data(), maxattr);
}

bool GenlAttrs::has(int type) const
{
	return type >= 0 && type < (int)tb_.size() && tb_[type];
}

const nlattr *GenlAttrs::raw(int type) const
{
	return has(type) ? tb_[type] : nullptr;
}

static nlattr *need(const std::vector<nlattr *> &tb, int type)
{
	if (type < 0 || type >= (int)tb.size() || !tb[type])
		throw Error("kernel reply lacks attribute " + std::to_string(type));
	return tb[type];
}

uint8_t GenlAttrs::u8(int type) const
{
	return nla_get_u8(need(tb_, type));
}
uint16_t GenlAttrs::u16(int type) const
{
	return nla_get_u16(need(tb_, type));
}
uint32_t GenlAttrs::u32(int type) const
{
	return nla_get_u32(need(tb_, type));
}
uint64_t GenlAttrs::u64(int type) const
{
	return nla_get_u64(need(tb_, type));
}

std::string GenlAttrs::str(int type) const
{
	nlattr *a = need(tb_, type);
	const char *s = static_cast<const char *>(nla_data(a));
	return std::string(s, strnlen(s, nla_len(a)));
}

std::vector<uint8_t> GenlAttrs::bytes(int type) const
{
	nlattr *a = need(tb_, type);
	auto *p = static_cast<const uint8_t *>(nla_data(a));
	return std::vector<uint8_t>(p, p + nla_len(a));
}

std::vector<const nlattr *> GenlAttrs::nested_list(int type) const
{
	std::vector<const nlattr *> out;
	if (!has(type))
		return out;
	nlattr *pos;
	int rem;
	nla_for_each_nested(pos, tb_[type], rem) out.push_back(pos);
	return out;
}

std::optional<std::string> extack_message(const void *nlmsghdr_ptr, size_t len)
{
	auto *nlh = static_cast<const nlmsghdr *>(nlmsghdr_ptr);
	if (len < NLMSG_HDRLEN + sizeof(nlmsgerr) || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return std::nullopt;
	auto *err = static_cast<const nlmsgerr *>(NLMSG_DATA(nlh));
	size_t off = NLMSG_HDRLEN + sizeof(nlmsgerr);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(nlmsghdr);
	const size_t end = std::min<size_t>(len, nlh->nlmsg_len);
	while (off + sizeof(nlattr) <= end) {
		auto *a =
			reinterpret_cast<const nlattr *>(reinterpret_cast<const char *>(nlh) + off);
		if (a->nla_len < sizeof(nlattr) || off + a->nla_len > end)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			const char *s = reinterpret_cast<const char *>(a) + NLA_HDRLEN;
			return std::string(s, strnlen(s, a->nla_len - NLA_HDRLEN));
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return std::nullopt;
}

namespace {

// The attributes after an error message's nlmsgerr (and echoed request).
template <typename F> void for_each_extack_attr(const void *nlmsghdr_ptr, size_t len, F &&f)
{
	auto *nlh = static_cast<const nlmsghdr *>(nlmsghdr_ptr);
	if (len < NLMSG_HDRLEN + sizeof(nlmsgerr) || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	auto *err = static_cast<const nlmsgerr *>(NLMSG_DATA(nlh));
	size_t off = NLMSG_HDRLEN + sizeof(nlmsgerr);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(nlmsghdr);
	const size_t end = std::min<size_t>(len, nlh->nlmsg_len);
	while (off + sizeof(nlattr) <= end) {
		auto *a =
			reinterpret_cast<const nlattr *>(reinterpret_cast<const char *>(nlh) + off);
		if (a->nla_len < sizeof(nlattr) || off + a->nla_len > end)
			break;
		f(a);
		off += NLA_ALIGN(a->nla_len);
	}
}

uint64_t attr_uint(const nlattr *a)
{
	const size_t n = a->nla_len - NLA_HDRLEN;
	const char *p = reinterpret_cast<const char *>(a) + NLA_HDRLEN;
	if (n == sizeof(uint64_t)) {
		uint64_t v;
		std::memcpy(&v, p, sizeof(v));
		return v;
	}
	if (n == sizeof(uint32_t)) {
		uint32_t v;
		std::memcpy(&v, p, sizeof(v));
		return v;
	}
	return 0;
}

} // namespace

ExtackDetail extack_detail(const void *nlmsghdr_ptr, size_t len)
{
	ExtackDetail d;
	for_each_extack_attr(nlmsghdr_ptr, len, [&d](const nlattr *a) {
		const int type = a->nla_type & NLA_TYPE_MASK;
		if (type == NLMSGERR_ATTR_OFFS && a->nla_len >= NLA_HDRLEN + sizeof(uint32_t)) {
			d.offset = (uint32_t)attr_uint(a);
		} else if (type == NLMSGERR_ATTR_POLICY) {
			const auto *inner = reinterpret_cast<const nlattr *>(
				reinterpret_cast<const char *>(a) + NLA_HDRLEN);
			int rem = a->nla_len - NLA_HDRLEN;
			for (; rem >= (int)sizeof(nlattr) && inner->nla_len >= sizeof(nlattr) &&
			       inner->nla_len <= rem;
			     rem -= NLA_ALIGN(inner->nla_len),
			     inner = reinterpret_cast<const nlattr *>(
				     reinterpret_cast<const char *>(inner) +
				     NLA_ALIGN(inner->nla_len))) {
				const int t = inner->nla_type & NLA_TYPE_MASK;
				if (t == NL_POLICY_TYPE_ATTR_MIN_VALUE_U)
					d.min = attr_uint(inner);
				else if (t == NL_POLICY_TYPE_ATTR_MAX_VALUE_U)
					d.max = attr_uint(inner);
			}
		}
	});
	return d;
}

GenlSocket::GenlSocket(const std::string &family, const std::string &module) : family_(family)
{
	sock_ = nl_socket_alloc();
	if (!sock_)
		throw Error("cannot allocate a netlink socket");
	if (genl_connect(sock_) < 0) {
		nl_socket_free(sock_);
		throw Error("cannot connect to generic netlink");
	}
	int one = 1;
	setsockopt(nl_socket_get_fd(sock_), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sock_), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	family_id_ = genl_ctrl_resolve(sock_, family.c_str());
	if (family_id_ < 0) {
		nl_socket_free(sock_);
		throw Error("generic netlink family '" + family + "' not found: is module " +
			    module + " loaded?");
	}
}

GenlSocket::~GenlSocket()
{
	nl_socket_free(sock_);
}

NlMsgPtr GenlSocket::message(uint8_t cmd, int flags) const
{
	NlMsgPtr msg(nlmsg_alloc(), nlmsg_free);
	if (!msg)
		throw Error("out of memory for a netlink message");
	if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family_id_, 0, flags, cmd, 1))
		throw Error("cannot build a netlink message");
	return msg;
}

namespace {

struct Transaction {
	int maxattr = 0;
	const std::function<void(const GenlAttrs &)> *on_reply = nullptr;
	int error = 0;
	std::string extack;
	ExtackDetail detail;
	bool done = false;
	std::string callback_error;
};

int on_valid(nl_msg *msg, void *arg)
{
	auto *t = static_cast<Transaction *>(arg);
	if (!t->on_reply)
		return NL_OK;
	std::vector<nlattr *> tb(t->maxattr + 1, nullptr);
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb.data(), t->maxattr, nullptr) < 0) {
		t->callback_error = "malformed reply from the kernel";
		return NL_STOP;
	}
	try {
		(*t->on_reply)(GenlAttrs(tb.data(), t->maxattr));
	} catch (const std::exception &e) {
		t->callback_error = e.what();
		return NL_STOP;
	}
	return NL_OK;
}

int on_error(sockaddr_nl *, nlmsgerr *err, void *arg)
{
	auto *t = static_cast<Transaction *>(arg);
	auto *nlh = reinterpret_cast<nlmsghdr *>(reinterpret_cast<char *>(err) - NLMSG_HDRLEN);
	t->error = err->error;
	if (auto m = extack_message(nlh, nlh->nlmsg_len))
		t->extack = *m;
	t->detail = extack_detail(nlh, nlh->nlmsg_len);
	t->done = true;
	return NL_STOP;
}

int on_finish(nl_msg *, void *arg)
{
	static_cast<Transaction *>(arg)->done = true;
	return NL_STOP;
}

int on_ack(nl_msg *, void *arg)
{
	static_cast<Transaction *>(arg)->done = true;
	return NL_STOP;
}

} // namespace

void GenlSocket::transact(NlMsgPtr &msg, const std::string &what, int maxattr,
			  const std::function<void(const GenlAttrs &)> *on_reply)
{
	Transaction t;
	t.maxattr = maxattr;
	t.on_reply = on_reply;

	std::unique_ptr<nl_cb, void (*)(nl_cb *)> cb(nl_cb_alloc(NL_CB_DEFAULT), nl_cb_put);
	nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &t);
	nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &t);
	nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_ack, &t);
	nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &t);

	nlmsg_hdr(msg.get())->nlmsg_flags |= NLM_F_ACK;
	int rc = nl_send_auto(sock_, msg.get());
	if (rc < 0)
		throw Error(what + ": cannot send netlink request: " + nl_geterror(rc));
	while (!t.done) {
		rc = nl_recvmsgs(sock_, cb.get());
		if (rc < 0 && !t.done && t.error == 0)
			throw Error(what + ": netlink receive failed: " + nl_geterror(rc));
		if (!t.callback_error.empty())
			throw Error(what + ": " + t.callback_error);
	}
	if (t.error == 0)
		return;
	int errnum = -t.error;
	std::string reason = !t.extack.empty() ? t.extack : std::strerror(errnum);
	// A policy refusal points at our attribute: name it, give the range.
	const nlmsghdr *sent = nlmsg_hdr(msg.get());
	if (t.detail.offset && *t.detail.offset + sizeof(nlattr) <= sent->nlmsg_len) {
		auto *a = reinterpret_cast<const nlattr *>(reinterpret_cast<const char *>(sent) +
							   *t.detail.offset);
		auto it = attr_names_.find(a->nla_type & NLA_TYPE_MASK);
		if (it != attr_names_.end())
			reason = it->second + ": " + reason;
	}
	if (t.detail.min || t.detail.max)
		reason += " (allowed " + std::to_string(t.detail.min.value_or(0)) + ".." +
			  (t.detail.max ? std::to_string(*t.detail.max) : std::string("")) + ")";
	if (errnum == EPERM && t.extack.empty())
		reason += " (needs CAP_NET_ADMIN)";
	throw Error(what + ": " + reason);
}

void GenlSocket::set_buffer_size(int bytes)
{
	nl_socket_set_buffer_size(sock_, bytes, bytes);
	int fd = nl_socket_get_fd(sock_);
	// Past net.core.wmem_max only with CAP_NET_ADMIN; failure leaves the cap.
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes));
	nlmsg_set_default_size(size_t(bytes));
}

void GenlSocket::request(NlMsgPtr &msg, const std::string &what)
{
	transact(msg, what, 0, nullptr);
}

void GenlSocket::request_with_reply(NlMsgPtr &msg, const std::string &what, int maxattr,
				    const std::function<void(const GenlAttrs &)> &on_reply)
{
	transact(msg, what, maxattr, &on_reply);
}

void GenlSocket::dump(NlMsgPtr msg, int maxattr,
		      const std::function<void(const GenlAttrs &)> &on_entry,
		      const std::string &what)
{
	nlmsg_hdr(msg.get())->nlmsg_flags |= NLM_F_DUMP;
	transact(msg, what, maxattr, &on_entry);
}

} // namespace nettune
