"""What monitoring's Python end-to-end tests share: TAP results and their report."""
results = []


def check(name, ok, detail=""):
    """Record one test point; DETAIL is shown under it when it fails."""
    results.append((name, bool(ok), detail))


def report():
    """Print every point in TAP."""
    print(f"1..{len(results)}")
    for i, (name, ok, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok and detail:
            for line in str(detail).splitlines()[:10]:
                print("#   " + line)
