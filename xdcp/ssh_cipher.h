// The cipher ssh should prefer for a service-node mirror: every byte of the
// tree is encrypted once per SN on the management node, so the cipher's
// cost per byte is the management node's CPU for a cold mirror.
#ifndef XDCP_SSH_CIPHER_H_
#define XDCP_SSH_CIPHER_H_

#include <string>
#include <vector>

namespace xdcp {

// OpenSSH's default cipher set with AES-GCM first: nothing that the
// defaults leave off is enabled.
extern const char kAesFirstCiphers[];

// Whether one ssh_config file's text has a Ciphers line (in any Host or
// Match block). The patterns of its Include lines are added to `includes`.
bool ConfigNamesCiphers(const std::string& text, std::vector<std::string>* includes);

// Whether /proc/cpuinfo's text shows AES instructions (x86 "flags",
// arm64 "Features").
bool CpuHasAes(const std::string& cpuinfo);

// kAesFirstCiphers when the CPU has AES instructions and neither
// HOME/.ssh/config nor /etc/ssh/ssh_config, nor a file they include,
// chooses ciphers; otherwise "" (leave ssh alone).
std::string PreferredCiphers(const std::string& home);

}  // namespace xdcp

#endif  // XDCP_SSH_CIPHER_H_
