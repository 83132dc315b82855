-- Salons are seen by everyone signed in, whatever their district: a pull reads the kinds
-- seen city-wide from every district by kind and sequence.
CREATE INDEX records_by_kind_seq ON records (kind, seq);
