// The loader of TUN mode's fast path: the bpf(2) calls that create the flow map, load the
// generated program with the map's descriptor in it, and attach it through a TCX link.
// No libbpf: three commands and a map update are all it takes.
#ifdef __linux__
#include "CHyperionFastPath.h"
#include "fast_path_program.h"

#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

// Linux 6.6's TCX attach points; older uapi headers do not name them.
#define CHYPERION_BPF_TCX_EGRESS 47

#define INSTRUCTION_COUNT (sizeof(chyperion_fast_path_instructions) / sizeof(chyperion_fast_path_instructions[0]))

static int bpf_call(int command, union bpf_attr *attributes) {
    long result = syscall(SYS_bpf, command, attributes, sizeof(*attributes));
    return result < 0 ? -errno : (int)result;
}

static int create_map(uint32_t max_entries) {
    union bpf_attr attributes;
    memset(&attributes, 0, sizeof(attributes));
    attributes.map_type = BPF_MAP_TYPE_HASH;
    attributes.key_size = sizeof(struct chyperion_fast_path_tuple);
    attributes.value_size = sizeof(struct chyperion_fast_path_tuple);
    attributes.max_entries = max_entries;
    attributes.map_flags = BPF_F_NO_PREALLOC;
    memcpy(attributes.map_name, "hyperion_flows", sizeof("hyperion_flows"));
    int fd = bpf_call(BPF_MAP_CREATE, &attributes);
    // Kernels older than 4.15 know no map names; the name is only for bpftool.
    if (fd == -EINVAL) {
        memset(attributes.map_name, 0, sizeof(attributes.map_name));
        fd = bpf_call(BPF_MAP_CREATE, &attributes);
    }
    return fd;
}

static int load_program(int map_fd, char *log, uint32_t log_size) {
    struct bpf_insn instructions[INSTRUCTION_COUNT];
    memcpy(instructions, chyperion_fast_path_instructions, sizeof(instructions));
    for (size_t index = 0; index < sizeof(chyperion_fast_path_map_loads) / sizeof(unsigned); index++) {
        struct bpf_insn *load = &instructions[chyperion_fast_path_map_loads[index]];
        load->src_reg = BPF_PSEUDO_MAP_FD;
        load->imm = map_fd;
    }
    union bpf_attr attributes;
    memset(&attributes, 0, sizeof(attributes));
    attributes.prog_type = BPF_PROG_TYPE_SCHED_CLS;
    attributes.insns = (uint64_t)(uintptr_t)instructions;
    attributes.insn_cnt = (uint32_t)INSTRUCTION_COUNT;
    attributes.license = (uint64_t)(uintptr_t)chyperion_fast_path_licence;
    memcpy(attributes.prog_name, "hyperion_fast", sizeof("hyperion_fast"));
    if (log != NULL && log_size > 0) {
        log[0] = 0;
        attributes.log_buf = (uint64_t)(uintptr_t)log;
        attributes.log_size = log_size;
        attributes.log_level = 1;
    }
    int fd = bpf_call(BPF_PROG_LOAD, &attributes);
    // The verifier's log is only wanted when it refused; a log too small for a success
    // must not turn that success into ENOSPC.
    if (fd == -ENOSPC && log != NULL) {
        attributes.log_buf = 0;
        attributes.log_size = 0;
        attributes.log_level = 0;
        fd = bpf_call(BPF_PROG_LOAD, &attributes);
    }
    return fd;
}

static int attach_egress(int program_fd, int ifindex) {
    union bpf_attr attributes;
    memset(&attributes, 0, sizeof(attributes));
    attributes.link_create.prog_fd = (uint32_t)program_fd;
    attributes.link_create.target_ifindex = (uint32_t)ifindex;
    attributes.link_create.attach_type = CHYPERION_BPF_TCX_EGRESS;
    return bpf_call(BPF_LINK_CREATE, &attributes);
}

int chyperion_fast_path_attach(int ifindex, uint32_t max_entries, int *map_fd, int *link_fd, char *log, uint32_t log_size) {
    int map = create_map(max_entries);
    if (map < 0) return map;
    int program = load_program(map, log, log_size);
    if (program < 0) {
        close(map);
        return program;
    }
    // The link holds the program; its descriptor is not needed once attached.
    int link = attach_egress(program, ifindex);
    close(program);
    if (link < 0) {
        close(map);
        return link;
    }
    *map_fd = map;
    *link_fd = link;
    return 0;
}

int chyperion_fast_path_put(int map_fd, const struct chyperion_fast_path_tuple *key, const struct chyperion_fast_path_tuple *value) {
    union bpf_attr attributes;
    memset(&attributes, 0, sizeof(attributes));
    attributes.map_fd = (uint32_t)map_fd;
    attributes.key = (uint64_t)(uintptr_t)key;
    attributes.value = (uint64_t)(uintptr_t)value;
    attributes.flags = BPF_ANY;
    return bpf_call(BPF_MAP_UPDATE_ELEM, &attributes);
}

int chyperion_fast_path_remove(int map_fd, const struct chyperion_fast_path_tuple *key) {
    union bpf_attr attributes;
    memset(&attributes, 0, sizeof(attributes));
    attributes.map_fd = (uint32_t)map_fd;
    attributes.key = (uint64_t)(uintptr_t)key;
    return bpf_call(BPF_MAP_DELETE_ELEM, &attributes);
}
#endif
