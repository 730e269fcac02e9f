# Loaded before comet-push-consume.rb (`ruby -r ./listener-names.rb`) by run-em-http.sh. It
# changes nothing the client sends or receives: it gives each of the article's two listener
# chains a name (a listener's re-subscriptions inherit it) and prefixes the chain's
# "Listener recieved:" lines with it ("[listener 1] Listener recieved: ..."), so a test can check
# that EACH listener printed every message exactly once. It also makes stdout unbuffered.
require 'em-http'

$stdout.sync = true

module ListenerNames
  @count = 0
  @current = nil
  class << self
    attr_accessor :current

    def fresh
      @count += 1
    end
  end

  # A GET issued while a listener's callback runs is that listener's re-subscription.
  module Connection
    def get(*args, &blk)
      client = super
      client.instance_variable_set(:@listener_name, ListenerNames.current || ListenerNames.fresh)
      client
    end
  end

  module Client
    def callback(&blk)
      name = @listener_name
      return super unless name && blk
      super() do |*a|
        outer = ListenerNames.current
        ListenerNames.current = name
        begin
          blk.call(*a)
        ensure
          ListenerNames.current = outer
        end
      end
    end
  end

  module Output
    def puts(*args)
      name = ListenerNames.current
      if name && args.first.is_a?(String) && args.first.start_with?('Listener')
        super("[listener #{name}] " + args.first, *args.drop(1))
      else
        super
      end
    end
  end
end

EventMachine::HttpConnection.prepend(ListenerNames::Connection)
EventMachine::HttpClient.prepend(ListenerNames::Client)
Object.prepend(ListenerNames::Output)
