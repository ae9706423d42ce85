// Paths inside an image directory (xdcp -i). An image is a node's root file
// system kept on the management node; its symbolic links are the node's,
// so they are resolved the way the node would resolve them once booted,
// inside the image, never against the management node's own file system
// (an image's `var/run -> /run` must never lead a write to the MN's /run).
#ifndef XDCP_IMAGE_PATH_H_
#define XDCP_IMAGE_PATH_H_

#include <string>

namespace xdcp {

// Resolves the absolute `path` inside `image` as chroot(image) would: each
// symbolic link on the way is read and followed within the image (an
// absolute link starts again at the image's root, ".." never climbs above
// it), the last component too. Components that do not exist yet are kept
// as written. `resolved` is image-relative, starts with '/', and keeps a
// trailing '/' of `path`. False with `error` for a loop (more than 40
// links) or a component that is neither a directory nor the last one.
bool ResolveInImage(const std::string& image, const std::string& path,
                    std::string* resolved, std::string* error);

// Makes `dir` (image-relative, as ResolveInImage returns it) and its
// missing parents inside `image` (mode 0755), walking down from the image
// with O_NOFOLLOW so that nothing leads outside it: a component that is a
// symbolic link (the image changed since it was resolved) is an error.
// Returns "" or what went wrong.
std::string MakeImageDirs(const std::string& image, const std::string& dir);

}  // namespace xdcp

#endif  // XDCP_IMAGE_PATH_H_
