-- Trust between a person and a brand. The score is not stored: it is worked out from the signals (each decays with
-- time), so a signal is only ever appended, two processes never update one row, and a merge of two persons moves rows
-- without collisions. person_id leads every primary key (Citus distribution column).

-- Every signal, as history: what happened (question_answered, purchase, fact_stated, message_engaged, complaint,
-- opt_out, abuse, too_creepy, apology), when, and its weight in the score (positive builds trust, negative spends it).
CREATE TABLE trust_signals (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE ON UPDATE CASCADE,
  signal_id bigint GENERATED ALWAYS AS IDENTITY,
  brand_id bigint NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('question_answered', 'purchase', 'fact_stated', 'message_engaged', 'complaint',
    'opt_out', 'abuse', 'too_creepy', 'apology')),
  weight double precision NOT NULL,
  -- the fact a "too creepy" was about
  fact_id uuid,
  -- what the signal is about when it must count once (an order id for a purchase)
  ref text,
  at timestamptz NOT NULL,
  PRIMARY KEY (person_id, signal_id)
);
CREATE INDEX trust_signals_pair ON trust_signals (person_id, brand_id, at);
CREATE INDEX trust_signals_brand ON trust_signals (brand_id, at);
CREATE UNIQUE INDEX trust_signals_once ON trust_signals (person_id, brand_id, kind, ref) WHERE ref IS NOT NULL;

-- "Too creepy": this brand may no longer use this fact, for anything. No foreign key to facts (a merge moves facts by
-- deleting and inserting them under the same id); a retirement of a fact that is gone retires nothing.
CREATE TABLE fact_use_retirements (
  person_id uuid NOT NULL REFERENCES persons(id) ON DELETE CASCADE ON UPDATE CASCADE,
  retirement_id bigint GENERATED ALWAYS AS IDENTITY,
  brand_id bigint NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  fact_id uuid NOT NULL,
  -- the use the person objected to (recommendations, service, marketing): kept to tell them what they said
  purpose text NOT NULL,
  retired_at timestamptz NOT NULL,
  PRIMARY KEY (person_id, retirement_id)
);
CREATE INDEX fact_use_retirements_fact ON fact_use_retirements (person_id, brand_id, fact_id);
