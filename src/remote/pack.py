# Writes the data files (regular files only) as an uncompressed tar stream on stdout.
import tarfile


def main():
    data_dir = args()["data_dir"]
    with tarfile.open(fileobj=sys.stdout.buffer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for item in data_files(data_dir):
            path = os.path.join(data_dir, item["name"])
            try:
                with open(path, "rb") as f:
                    st = os.fstat(f.fileno())
                    if not stat.S_ISREG(st.st_mode):
                        continue
                    info = tarfile.TarInfo(item["name"])
                    info.size = st.st_size
                    info.mtime = st.st_mtime
                    info.mode = 0o644
                    tar.addfile(info, f)
            except OSError:
                continue
    sys.stdout.buffer.flush()


main()
