#!/usr/bin/python3
"""Generate N users (full name, email, phone, address, birth date) to CSV with Faker.

The reference for bench/seed/run: the usual way demo data is made in Python.
Usage: faker_users.py N OUT.csv
"""
import csv
import sys
import time

from faker import Faker


def main():
    n, out_path = int(sys.argv[1]), sys.argv[2]
    fake = Faker("fr_FR")
    fake.seed(42) if hasattr(fake, "seed") and not hasattr(Faker, "seed") else Faker.seed(42)
    start = time.perf_counter()
    with open(out_path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "full_name", "email", "phone", "address", "birth_date"])
        for i in range(1, n + 1):
            writer.writerow([i, fake.name(), fake.email(), fake.phone_number(),
                             fake.address().replace("\n", ", "), fake.date_of_birth()
                             if hasattr(fake, "date_of_birth") else fake.date()])
    seconds = time.perf_counter() - start
    print(f"{n} {seconds:.3f}")


if __name__ == "__main__":
    main()
