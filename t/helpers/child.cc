// The helper child for process tests. Its arguments are actions done in
// order:
//   --print TEXT        write TEXT and a newline to stdout
//   --partial TEXT      write TEXT without a newline
//   --stderr TEXT       write TEXT and a newline to stderr
//   --spew BYTES        write BYTES bytes of 'x' lines (80 chars) to stdout
//   --sleep MS          sleep
//   --ignore-term       ignore SIGTERM from now on
//   --grandchild FILE   fork a child that sleeps; its pid is in FILE before
//                       the next action
//   --probe DIR         note itself in DIR while running (fan-out checks):
//                       creates DIR/run.PID, appends the number of run.*
//                       files to DIR/log, removes DIR/run.PID at exit
//   --await-peers N     wait until N probes (itself included) run at once;
//                       exit 98 if that does not happen within 30 s
//   --await-file PATH   wait until PATH exists; exit 97 if it does not
//                       within 30 s
//   --exit N            exit with status N
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace {

std::string probe_file;

void RemoveProbe() {
  if (!probe_file.empty()) unlink(probe_file.c_str());
}

int CountRunning(const std::string& dir) {
  int n = 0;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) n += strncmp(e->d_name, "run.", 4) == 0;
    closedir(d);
  }
  return n;
}

void Probe(const std::string& dir) {
  probe_file = dir + "/run." + std::to_string(getpid());
  std::ofstream(probe_file) << getpid();
  std::ofstream(dir + "/log", std::ios::app) << CountRunning(dir) << "\n";
  atexit(RemoveProbe);
}

void Spew(long bytes) {
  std::string line(79, 'x');
  line += '\n';
  for (long done = 0; done < bytes; done += line.size()) {
    fwrite(line.data(), 1, line.size(), stdout);
  }
  fflush(stdout);
}

void AwaitPeers(int n) {
  const std::string dir = probe_file.substr(0, probe_file.rfind('/'));
  for (int waited_ms = 0; CountRunning(dir) < n; waited_ms += 10) {
    if (waited_ms >= 30000) {
      fprintf(stderr, "child: %d probes never ran at once\n", n);
      exit(98);
    }
    usleep(10000);
  }
}

void AwaitFile(const std::string& path) {
  for (int waited_ms = 0; access(path.c_str(), F_OK) != 0; waited_ms += 10) {
    if (waited_ms >= 30000) {
      fprintf(stderr, "child: %s never appeared\n", path.c_str());
      exit(97);
    }
    usleep(10000);
  }
}

// The parent writes the pid (written to a temporary name, then renamed),
// so the file is complete before the parent goes on.
void Grandchild(const std::string& file) {
  pid_t pid = fork();
  if (pid == 0) {
    for (;;) pause();
  }
  std::ofstream(file + ".tmp") << pid << "\n";
  rename((file + ".tmp").c_str(), file.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : "";
    if (a == "--print") printf("%s\n", v), fflush(stdout), ++i;
    else if (a == "--partial") printf("%s", v), fflush(stdout), ++i;
    else if (a == "--stderr") fprintf(stderr, "%s\n", v), ++i;
    else if (a == "--spew") Spew(atol(v)), ++i;
    else if (a == "--sleep") usleep(atol(v) * 1000), ++i;
    else if (a == "--ignore-term") signal(SIGTERM, SIG_IGN);
    else if (a == "--grandchild") Grandchild(v), ++i;
    else if (a == "--probe") Probe(v), ++i;
    else if (a == "--await-peers") AwaitPeers(atoi(v)), ++i;
    else if (a == "--await-file") AwaitFile(v), ++i;
    else if (a == "--exit") exit(atoi(v));
    else return fprintf(stderr, "child: unknown action %s\n", a.c_str()), 99;
  }
  return 0;
}
