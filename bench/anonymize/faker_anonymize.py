#!/usr/bin/python3
"""Anonymize users and event IPs of a seeded SQLite database with Faker, the common way:
read the rows, make fakes, UPDATE each row by its key, in one transaction. Emails get the
row's id in front, as Debian's Faker (0.9) has no unique proxy and the column is unique; an
IPv4 address is four random_int octets, since that Faker's ipv4() takes about 6 ms a call.

The reference for bench/anonymize/run.
Usage: faker_anonymize.py DB USERS EVENTS   (mask the first USERS users and EVENTS events)
Prints: rows seconds
"""
import sqlite3
import sys
import time

from faker import Faker


def ipv4(fake):
    return ".".join(str(fake.random_int(0, 255)) for _ in range(4))


def main():
    path, users, events = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    fake = Faker("fr_FR")
    fake.seed(42) if hasattr(fake, "seed") and not hasattr(Faker, "seed") else Faker.seed(42)
    db = sqlite3.connect(path)
    start = time.perf_counter()
    ids = [r[0] for r in db.execute("SELECT id FROM users ORDER BY id LIMIT ?", (users,))]
    db.executemany(
        "UPDATE users SET email = ?, first_name = ?, last_name = ?, full_name = ?, phone = ?, "
        "ip = ? WHERE id = ?",
        ((f"{i}.{fake.email()}", fake.first_name(), fake.last_name(), fake.name(),
          fake.phone_number(), ipv4(fake), i) for i in ids))
    ids = [r[0] for r in db.execute("SELECT id FROM events ORDER BY id LIMIT ?", (events,))]
    db.executemany("UPDATE events SET ip = ? WHERE id = ?", ((ipv4(fake), i) for i in ids))
    db.commit()
    seconds = time.perf_counter() - start
    print(f"{users + events} {seconds:.3f}")


if __name__ == "__main__":
    main()
