// Numbers from the kernel's uapi headers: linux/netlink.h, linux/sock_diag.h, linux/inet_diag.h,
// linux/unix_diag.h, and the socket families and protocols of linux/socket.h and linux/in.h.

// linux/netlink.h
export const NLMSG_HDRLEN = 16;
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;
export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
/** struct nlmsgerr: int error, then the header of the request it answers. */
export const NLMSGERR_MIN_LEN = 4 + NLMSG_HDRLEN;

// linux/sock_diag.h, linux/inet_diag.h
export const SOCK_DIAG_BY_FAMILY = 20;
/** The legacy request type that dumps TCP over IPv4 and IPv6 in one walk of the hash tables. */
export const TCPDIAG_GETSOCK = 18;
export const INET_DIAG_NOCOOKIE = 0xffffffff;
/** struct inet_diag_sockid: sport, dport, src[4], dst[4], if, cookie[2]. */
export const INET_DIAG_SOCKID_LEN = 48;
/** struct inet_diag_req_v2: family, protocol, ext, pad, states, sockid. */
export const INET_DIAG_REQ_V2_LEN = 8 + INET_DIAG_SOCKID_LEN;
/** struct inet_diag_req (legacy): family, src_len, dst_len, ext, sockid, states, dbs. */
export const INET_DIAG_REQ_LEN = 4 + INET_DIAG_SOCKID_LEN + 8;
/** struct inet_diag_msg: family, state, timer, retrans, sockid, expires, rqueue, wqueue, uid, inode. */
export const INET_DIAG_MSG_LEN = 4 + INET_DIAG_SOCKID_LEN + 20;
export const INET_DIAG_PROTOCOL = 10;

// linux/unix_diag.h
/** struct unix_diag_req: family, protocol, pad, states, ino, show, cookie[2]. */
export const UNIX_DIAG_REQ_LEN = 24;
/** struct unix_diag_msg: family, type, state, pad, ino, cookie[2]. */
export const UNIX_DIAG_MSG_LEN = 16;
export const UDIAG_SHOW_NAME = 0x01;
export const UDIAG_SHOW_PEER = 0x04;
export const UDIAG_SHOW_RQLEN = 0x10;
export const UDIAG_SHOW_UID = 0x40;
export const UNIX_DIAG_NAME = 0;
export const UNIX_DIAG_PEER = 2;
export const UNIX_DIAG_RQLEN = 4;
export const UNIX_DIAG_UID = 7;

// linux/socket.h, linux/in.h
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_RAW = 255;
export const IPPROTO_SCTP = 132;
export const IPPROTO_UDPLITE = 136;

// include/net/tcp_states.h: the state numbers sock_diag reports, for inet and unix sockets.
export const TCP_ESTABLISHED = 1;
export const TCP_SYN_SENT = 2;
export const TCP_CLOSE = 7;
export const TCP_LISTEN = 10;
export const TCP_TIME_WAIT = 6;
/** Every state bit: what a full table dump asks for. */
export const ALL_STATES = 0xffffffff;
